import { ArnFormat, Fn, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnLoggingConfiguration, CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { PROBLEM_TYPE_BASE } from './api';

/**
 * The routes whose bodies are legal records full of hostile-looking text by nature (orders list the URLs of
 * illegal content; answers quote them back): `POST /v1/takedown-requests`, `POST /v1/takedown-requests/{id}/review`,
 * `POST /v1/platforms/{platformId}/responses` and the platform API's answers and clarification requests
 * (`POST /v1/platforms/{platformId}/orders/{id}/answers|clarification-requests`). The stage prefix is optional: WAF
 * sees it on the execute-api host but not behind a custom domain.
 */
export function orderAndAnswerPathPattern(stageName: string): string {
  return (
    `^(/${escapeRegex(stageName)})?/v1/(takedown-requests(/[^/]+/review)?|platforms/[^/]+/responses|` +
    'platforms/[^/]+/orders/[^/]+/(answers|clarification-requests))/?$'
  );
}
/** The platform answer route, rate limited per platform (the platform id is in the path). */
export function platformResponsesPathPattern(stageName: string): string {
  return `^(/${escapeRegex(stageName)})?/v1/platforms/[^/]+/responses/?$`;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Managed rules that inspect the request body. On the order and answer routes they only count (the handlers
 * validate with zod and store the text verbatim, never interpret it); everywhere else they block.
 */
export const BODY_RULES_BY_GROUP = {
  AWSManagedRulesCommonRuleSet: [
    'SizeRestrictions_BODY',
    'CrossSiteScripting_BODY',
    'EC2MetaDataSSRF_BODY',
    'GenericLFI_BODY',
    'GenericRFI_BODY',
  ],
  AWSManagedRulesKnownBadInputsRuleSet: ['JavaDeserializationRCE_BODY', 'Log4JRCE_BODY'],
  AWSManagedRulesSQLiRuleSet: ['SQLi_BODY', 'SQLiExtendedPatterns_BODY'],
} as const;
type BodyInspectingGroup = keyof typeof BODY_RULES_BY_GROUP;

const TOO_MANY_REQUESTS_BODY_KEY = 'too-many-requests';

export interface ApiFirewallProps {
  /** ARN of the REST API stage to protect (`RestApi.deploymentStage.stageArn`). */
  readonly stageArn: string;
  /** Name of that stage, as a plain string (not a token): the optional first path segment of the route patterns. */
  readonly stageName: string;
  /** Customer-managed key for the WAF log group. */
  readonly encryptionKey: IKey;
  /**
   * Requests one bearer token (one `Authorization` header value) may make per evaluation window.
   * @default 600
   */
  readonly requestsPerClient?: number;
  /**
   * Signed answers one platform (one `/v1/platforms/{platformId}/responses` path) may send per evaluation window.
   * @default 600
   */
  readonly requestsPerPlatform?: number;
  /**
   * Requests one source IP may make per evaluation window, authenticated or not: the backstop for floods
   * without a token.
   * @default 3000
   */
  readonly requestsPerIp?: number;
  /**
   * Evaluation window of the rate rules in seconds (60, 120, 300 or 600). Also the `Retry-After` of a 429.
   * @default 60
   */
  readonly evaluationWindowSeconds?: 60 | 120 | 300 | 600;
  /**
   * How long WAF logs are kept.
   * @default RetentionDays.ONE_YEAR
   */
  readonly logRetention?: RetentionDays;
}

/**
 * Regional WAFv2 web ACL on the API stage: Amazon IP reputation, per-client, per-platform and per-IP rate rules
 * that answer 429 with `Retry-After`, and the common, known-bad-inputs and SQLi managed groups, whose body rules
 * only count on the order and answer routes. Logs go to CloudWatch Logs with the Authorization header redacted.
 */
export class ApiFirewall extends Construct {
  readonly webAcl: CfnWebACL;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ApiFirewallProps) {
    super(scope, id);
    const stack = Stack.of(this);
    if (Token.isUnresolved(props.stageName)) throw new UnresolvedStageNameError();
    const window = props.evaluationWindowSeconds ?? 60;
    const orderOrAnswerRoute = postToPath(orderAndAnswerPathPattern(props.stageName));
    const elsewhere: CfnWebACL.StatementProperty = { notStatement: { statement: orderOrAnswerRoute } };

    const rules: CfnWebACL.RuleProperty[] = [
      {
        name: 'AmazonIpReputation',
        priority: 0,
        overrideAction: { none: {} },
        statement: {
          managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesAmazonIpReputationList' },
        },
        visibilityConfig: visibility('AmazonIpReputation'),
      },
      rateRule(
        'PerClientRate',
        10,
        {
          limit: props.requestsPerClient ?? 600,
          evaluationWindowSec: window,
          aggregateKeyType: 'CUSTOM_KEYS',
          // One budget per bearer token: JWTs cannot key API Gateway usage plans, the raw header can key WAF.
          customKeys: [
            { header: { name: 'Authorization', textTransformations: [{ priority: 0, type: 'NONE' }] } },
          ],
        },
        window,
      ),
      rateRule(
        'PerPlatformRate',
        11,
        {
          limit: props.requestsPerPlatform ?? 600,
          evaluationWindowSec: window,
          aggregateKeyType: 'CUSTOM_KEYS',
          // Platforms sign instead of sending a token; their id is in the path, so the path is their key.
          customKeys: [{ uriPath: { textTransformations: [{ priority: 0, type: 'NONE' }] } }],
          scopeDownStatement: pathMatches(platformResponsesPathPattern(props.stageName)),
        },
        window,
      ),
      rateRule(
        'PerIpRate',
        12,
        {
          limit: props.requestsPerIp ?? 3000,
          evaluationWindowSec: window,
          aggregateKeyType: 'IP',
        },
        window,
      ),
    ];
    let priority = 20;
    for (const group of Object.keys(BODY_RULES_BY_GROUP) as BodyInspectingGroup[]) {
      rules.push(managedGroup(`${group}Elsewhere`, priority, group, elsewhere, []));
      rules.push(
        managedGroup(`${group}OrderAndAnswerRoutes`, priority + 1, group, orderOrAnswerRoute, [
          ...BODY_RULES_BY_GROUP[group],
        ]),
      );
      priority += 10;
    }

    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name: `${stack.stackName}-api`,
      description:
        'Tenggat REST API: managed rules, per-client rate limits, body rules counted on order routes',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('TenggatApi'),
      customResponseBodies: {
        [TOO_MANY_REQUESTS_BODY_KEY]: {
          contentType: 'APPLICATION_JSON',
          content: JSON.stringify({
            type: `${PROBLEM_TYPE_BASE}too-many-requests`,
            title: 'Too many requests',
            status: 429,
            detail: `Request rate over this client's budget; retry after ${window} seconds.`,
          }),
        },
      },
      rules,
    });

    new CfnWebACLAssociation(this, 'StageAssociation', {
      resourceArn: props.stageArn,
      webAclArn: this.webAcl.attrArn,
    });

    // WAF requires the `aws-waf-logs-` prefix; the stack id suffix keeps a retained group from blocking a re-create.
    const stackIdSuffix = Fn.select(2, Fn.split('/', stack.stackId));
    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `aws-waf-logs-${stack.stackName}-${stackIdSuffix}`,
      retention: props.logRetention ?? RetentionDays.ONE_YEAR,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    new CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      // WAF wants the log group ARN without the `:*` that `logGroupArn` carries.
      logDestinationConfigs: [
        stack.formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: this.logGroup.logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      // Bearer tokens are credentials for their lifetime: never in logs.
      redactedFields: [{ singleHeader: { Name: 'authorization' } }],
    });
  }
}

function visibility(metricName: string): CfnWebACL.VisibilityConfigProperty {
  return { cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true };
}

function pathMatches(pattern: string): CfnWebACL.StatementProperty {
  return {
    regexMatchStatement: {
      regexString: pattern,
      fieldToMatch: { uriPath: {} },
      textTransformations: [{ priority: 0, type: 'NONE' }],
    },
  };
}

function postToPath(pattern: string): CfnWebACL.StatementProperty {
  return {
    andStatement: {
      statements: [
        {
          byteMatchStatement: {
            searchString: 'POST',
            fieldToMatch: { method: {} },
            positionalConstraint: 'EXACTLY',
            textTransformations: [{ priority: 0, type: 'NONE' }],
          },
        },
        pathMatches(pattern),
      ],
    },
  };
}

function rateRule(
  name: string,
  priority: number,
  rateBasedStatement: CfnWebACL.RateBasedStatementProperty,
  retryAfterSeconds: number,
): CfnWebACL.RuleProperty {
  return {
    name,
    priority,
    action: {
      block: {
        customResponse: {
          responseCode: 429,
          customResponseBodyKey: TOO_MANY_REQUESTS_BODY_KEY,
          responseHeaders: [{ name: 'Retry-After', value: String(retryAfterSeconds) }],
        },
      },
    },
    statement: { rateBasedStatement },
    visibilityConfig: visibility(name),
  };
}

function managedGroup(
  ruleName: string,
  priority: number,
  group: BodyInspectingGroup,
  scopeDownStatement: CfnWebACL.StatementProperty,
  countedRules: readonly string[],
): CfnWebACL.RuleProperty {
  return {
    name: ruleName,
    priority,
    overrideAction: { none: {} },
    statement: {
      managedRuleGroupStatement: {
        vendorName: 'AWS',
        name: group,
        scopeDownStatement,
        ...(countedRules.length > 0
          ? { ruleActionOverrides: countedRules.map((rule) => ({ name: rule, actionToUse: { count: {} } })) }
          : {}),
      },
    },
    visibilityConfig: visibility(ruleName),
  };
}

/** The stage name must be known at synth: it becomes part of the route patterns. */
export class UnresolvedStageNameError extends Error {
  constructor() {
    super('ApiFirewall needs the stage name as a plain string, not a token');
    this.name = 'UnresolvedStageNameError';
  }
}
