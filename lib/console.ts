import { AssetHashType, CfnOutput, DockerImage, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type { RestApiBase } from 'aws-cdk-lib/aws-apigateway';
import {
  AllowedMethods,
  CachePolicy,
  Function as CloudFrontFunction,
  Distribution,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginRequestPolicy,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { RestApiOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { buildConsoleSync, CONSOLE_DIR } from '../console/build';
import {
  CONSOLE_CONFIG_FILE,
  type ConsoleRuntimeConfig,
  consoleContentSecurityPolicy,
  DEFAULT_CONSOLE_SCOPES,
} from '../console/runtime-config';
import { ConsoleDeployment } from './console-deployment';
import { acknowledgeNagFinding } from './nag';

export interface ConsoleSignIn {
  /** The staff user pool's public app client for the console (authorization code + PKCE, no secret). */
  readonly clientId: string;
  /** Base URL of that pool's OAuth endpoints, e.g. `https://<domain>.auth.<region>.amazoncognito.com`. */
  readonly authBaseUrl: string;
  /** @default 'openid takedown/read takedown/write takedown/admin' */
  readonly scopes?: string;
}

export interface ConsoleProps {
  /** The API that `/v1/*` reaches through the same distribution, so the console is same-origin (no CORS). */
  readonly restApi: RestApiBase;
  /** Encrypts the deployment's log group (the stack's data key). */
  readonly encryptionKey: IKey;
  /**
   * How people sign in; written into the console's `config.json` at deploy time.
   * @default none: the console says that sign-in is not configured (wire the staff pool's console client here)
   */
  readonly signIn?: ConsoleSignIn;
  /**
   * A folder with the console already built (`npx tsx console/build.ts <dir>`).
   * @default built at synth from `console/` (esbuild, in this process)
   */
  readonly builtDirectory?: string;
}

// Paths without a file extension are the app's own routes: CloudFront serves them index.html. A viewer-request
// function rather than error responses, which would also turn the API's 403/404 problem documents into the page.
const SPA_REWRITE = `function handler(event) {
  var request = event.request;
  var last = request.uri.split('/').pop();
  if (last.indexOf('.') === -1) request.uri = '/index.html';
  return request;
}`;

/**
 * The web console: static files in a private bucket behind CloudFront (origin access control), a strict
 * content security policy on every file, and `/v1/*` routed to the REST API with caching disabled.
 */
export class Console extends Construct {
  /** `https://<distribution domain>`: register `<url>/callback` and `<url>/` on the console's Cognito client. */
  readonly url: string;
  readonly distribution: Distribution;
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: ConsoleProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Files', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    acknowledgeNagFinding(
      this.bucket,
      'S1',
      'Holds only the built console, replaced whole on each deployment; who fetches it is in the CloudFront logs ' +
        'a deployment may enable (docs/deploy.md), and every API call in the API access log.',
    );

    const headers = new ResponseHeadersPolicy(this, 'Headers', {
      comment: 'Tenggat console: strict CSP, HSTS, no framing',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          // The token endpoint is fetched from the page: its origin joins connect-src.
          contentSecurityPolicy: consoleContentSecurityPolicy(tokenOrigins(props.signIn)),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Tenggat web console and its API',
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        functionAssociations: [
          {
            eventType: FunctionEventType.VIEWER_REQUEST,
            function: new CloudFrontFunction(this, 'SpaRewrite', {
              code: FunctionCode.fromInline(SPA_REWRITE),
              runtime: FunctionRuntime.JS_2_0,
              comment: 'Console routes → index.html',
            }),
          },
        ],
      },
      additionalBehaviors: {
        '/v1/*': {
          origin: new RestApiOrigin(props.restApi),
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        },
      },
    });
    this.url = `https://${this.distribution.distributionDomainName}`;
    this.acknowledgeDeployTimeChoices();

    const config: ConsoleRuntimeConfig = {
      apiBaseUrl: '',
      signIn: {
        clientId: props.signIn?.clientId ?? '',
        authBaseUrl: props.signIn?.authBaseUrl ?? '',
        scopes: props.signIn?.scopes ?? DEFAULT_CONSOLE_SCOPES,
      },
    };
    new ConsoleDeployment(this, 'Deployment', {
      bucket: this.bucket,
      distribution: this.distribution,
      sources: [consoleSource(props.builtDirectory), Source.jsonData(CONSOLE_CONFIG_FILE, config)],
      invalidate: ['/index.html', `/${CONSOLE_CONFIG_FILE}`],
      encryptionKey: props.encryptionKey,
    });

    new CfnOutput(Stack.of(this), 'ConsoleUrl', { value: this.url, description: 'The Tenggat web console' });
  }

  private acknowledgeDeployTimeChoices(): void {
    const see = 'A deploy-time choice documented in docs/deploy.md ("Web console").';
    acknowledgeNagFinding(
      this.distribution,
      'CFR1',
      `Geo restriction: officers and platform staff sign in from abroad too; access is by Cognito sign-in. ${see}`,
    );
    acknowledgeNagFinding(
      this.distribution,
      'CFR2',
      `A CloudFront web ACL must live in us-east-1 (another stack); the API behind /v1/* keeps its regional WAF. ${see}`,
    );
    acknowledgeNagFinding(
      this.distribution,
      'CFR3',
      `Access logs need a log bucket with ACLs; the API access log already records every /v1/* call. ${see}`,
    );
    acknowledgeNagFinding(
      this.distribution,
      'CFR4',
      `The default *.cloudfront.net certificate allows TLSv1; a custom domain and ACM certificate (us-east-1) set TLSv1.2_2021. ${see}`,
    );
  }
}

/** A literal base URL gives its own origin; a deploy-time one (a token) any Cognito hosted domain. */
function tokenOrigins(signIn: ConsoleSignIn | undefined): string[] {
  if (!signIn) return [];
  if (Token.isUnresolved(signIn.authBaseUrl)) return ['https://*.amazoncognito.com'];
  return [new URL(signIn.authBaseUrl).origin];
}

/** The built console as an asset: bundled at synth in this process (Docker only where local bundling fails). */
function consoleSource(builtDirectory: string | undefined) {
  if (builtDirectory) return Source.asset(builtDirectory);
  return Source.asset(CONSOLE_DIR, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22-slim'),
      command: ['sh', '-c', 'echo "build the console with: npx tsx console/build.ts <dir>" && exit 1'],
      local: {
        tryBundle(outputDir) {
          buildConsoleSync(outputDir);
          return true;
        },
      },
    },
  });
}
