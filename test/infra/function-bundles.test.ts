import { readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_SPECS, LARGEST_BUNDLE, SMALL_BUNDLE } from '../../lib/function-specs';
import { bundleBudget, FUNCTION_IDS, type FunctionId } from '../../lib/functions';
import {
  buildFunctionBundle,
  externalPackagesIn,
  type FunctionBundle,
  sdkClientsIn,
} from '../../scripts/function-bundles';
import { synthTenggat } from './synth-tenggat';

/**
 * Each function's bundle, built with the same esbuild options as `cdk synth` (synth-offline.test.ts checks that they
 * are the same file), against its role in the synthesized template: a bundle holds an AWS SDK client only for a
 * service its role may call, and a role grants no service that its bundle has no client for. And each bundle stays
 * under its budget. The SDK is the runtime's: a bundle imports its clients (external imports in the metafile).
 */

type Json = Record<string, unknown>;

/** The IAM service prefix of each SDK client a function may bundle; a new client needs its line here. */
const IAM_PREFIX_OF_CLIENT: Readonly<Record<string, string>> = {
  '@aws-sdk/client-cognito-identity-provider': 'cognito-idp',
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/client-eventbridge': 'events',
  '@aws-sdk/client-kms': 'kms',
  '@aws-sdk/client-lambda': 'lambda',
  '@aws-sdk/client-s3': 's3',
  '@aws-sdk/client-scheduler': 'scheduler',
  '@aws-sdk/client-secrets-manager': 'secretsmanager',
  '@aws-sdk/client-sesv2': 'ses',
  '@aws-sdk/client-sfn': 'states',
  '@aws-sdk/client-sns': 'sns',
  '@aws-sdk/client-sqs': 'sqs',
};
/** Granted without an SDK client: X-Ray segments go through the Lambda service, logs through the runtime. */
const GRANTED_WITHOUT_CLIENT = new Set(['xray', 'logs']);
/**
 * Functions that use the data key only through DynamoDB and Secrets Manager (the table and their secrets are
 * encrypted with it) and call KMS themselves nowhere: every other function signs or verifies audit heads.
 */
const KMS_THROUGH_SERVICES_ONLY: readonly FunctionId[] = [
  'SubscriptionsFunction',
  'DeliverSubscriptionsFunction',
];

const { template } = synthTenggat();
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties?: Json }>;

/** The IAM service prefixes of every action the function's role is granted. */
function grantedPrefixes(functionId: FunctionId): Set<string> {
  const role = resources[functionId]?.Properties?.Role as { 'Fn::GetAtt'?: [string, string] } | undefined;
  const roleId = role?.['Fn::GetAtt']?.[0];
  if (roleId === undefined) throw new Error(`${functionId} has no role of its own`);
  const prefixes = new Set<string>();
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::IAM::Policy') continue;
    const roles = (resource.Properties?.Roles ?? []) as { Ref?: string }[];
    if (!roles.some((entry) => entry.Ref === roleId)) continue;
    const document = resource.Properties?.PolicyDocument as { Statement: { Action: string | string[] }[] };
    for (const statement of document.Statement) {
      for (const action of [statement.Action].flat()) prefixes.add(action.split(':')[0] ?? action);
    }
  }
  return prefixes;
}

/** The clients a bundle holds without a grant for their service, and the granted services it has no client for. */
function clientGrantMismatch(clients: readonly string[], granted: ReadonlySet<string>) {
  const unknown = clients.filter((client) => IAM_PREFIX_OF_CLIENT[client] === undefined);
  const clientPrefixes = new Set(clients.flatMap((client) => IAM_PREFIX_OF_CLIENT[client] ?? []));
  return {
    unknown,
    ungranted: clients.filter((client) => {
      const prefix = IAM_PREFIX_OF_CLIENT[client];
      return prefix !== undefined && !granted.has(prefix);
    }),
    unused: [...granted].filter(
      (prefix) => !clientPrefixes.has(prefix) && !GRANTED_WITHOUT_CLIENT.has(prefix),
    ),
  };
}

const bundles = new Map<FunctionId, FunctionBundle>();

beforeAll(async () => {
  for (const functionId of FUNCTION_IDS) bundles.set(functionId, await buildFunctionBundle(functionId));
}, 120_000);

const bundleOf = (functionId: FunctionId): FunctionBundle => {
  const bundle = bundles.get(functionId);
  if (bundle === undefined) throw new Error(`no bundle for ${functionId}`);
  return bundle;
};

describe('the SDK clients in each bundle and the grants of its role', () => {
  it('flags a client without a grant, a grant without a client, and a client it cannot map', () => {
    expect(
      clientGrantMismatch(
        ['@aws-sdk/client-dynamodb', '@aws-sdk/client-sfn', '@aws-sdk/client-foo'],
        new Set(['dynamodb', 'events', 'xray', 'logs']),
      ),
    ).toEqual({ unknown: ['@aws-sdk/client-foo'], ungranted: ['@aws-sdk/client-sfn'], unused: ['events'] });
  });

  it.each(FUNCTION_IDS)('%s bundles exactly the clients of the services its role grants', (functionId) => {
    const clients = sdkClientsIn(bundleOf(functionId).metafile);
    expect(clients).toContain('@aws-sdk/client-dynamodb');
    const granted = grantedPrefixes(functionId);
    if (KMS_THROUGH_SERVICES_ONLY.includes(functionId)) {
      expect(clients).not.toContain('@aws-sdk/client-kms');
      granted.delete('kms');
    }
    expect(clientGrantMismatch(clients, granted)).toEqual({
      unknown: [],
      ungranted: [],
      unused: [],
    });
  });
});

describe('the AWS SDK the local cloud provides', () => {
  it('is one version of every @aws-sdk package (package.json names one range for all)', () => {
    const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as Record<
      string,
      Record<string, string>
    >;
    const ranges = Object.entries({ ...manifest.dependencies, ...manifest.devDependencies })
      .filter(([name]) => name.startsWith('@aws-sdk/'))
      .map(([, range]) => range);
    expect(ranges.length).toBeGreaterThan(5);
    expect(new Set(ranges).size).toBe(1);
  });
});

describe('bundle budgets', () => {
  it.each(FUNCTION_IDS)(
    '%s stays under its budget, with a source map that holds no sources',
    (functionId) => {
      const bundle = bundleOf(functionId);
      expect(bundle.code.byteLength).toBeLessThanOrEqual(bundleBudget(functionId));
      const map = JSON.parse(new TextDecoder().decode(bundle.sourceMap)) as {
        sources: string[];
        sourcesContent?: unknown;
      };
      expect(map.sources.length).toBeGreaterThan(0);
      expect(map).not.toHaveProperty('sourcesContent');
    },
  );

  it('holds every bundle to 500 KB but the two that render letters, and half of them to 300 KB', () => {
    const rendersLetters = (functionId: FunctionId) =>
      FUNCTION_SPECS[functionId].capabilities.includes('letters');
    const over = FUNCTION_IDS.filter((functionId) => bundleOf(functionId).code.byteLength > LARGEST_BUNDLE);
    expect(over.filter((functionId) => !rendersLetters(functionId))).toEqual([]);
    expect(over.length).toBeLessThanOrEqual(2);
    const small = FUNCTION_IDS.filter((functionId) => bundleOf(functionId).code.byteLength <= SMALL_BUNDLE);
    expect(small.length).toBeGreaterThanOrEqual(FUNCTION_IDS.length / 2);
  });

  it.each(FUNCTION_IDS)("%s leaves out only the runtime's AWS SDK and Node's built-ins", (functionId) => {
    const external = externalPackagesIn(bundleOf(functionId).metafile).filter((name) => !isBuiltin(name));
    expect(external.length).toBeGreaterThan(0);
    expect(external.filter((name) => !name.startsWith('@aws-sdk/'))).toEqual([]);
  });

  it.each(FUNCTION_IDS)(
    "%s carries no locale of zod but English (`import * as z from 'zod'`)",
    (functionId) => {
      const { metafile } = bundleOf(functionId);
      const output = Object.values(metafile.outputs).find((entry) => entry.entryPoint !== undefined);
      const locales = Object.entries(output?.inputs ?? {})
        .filter(([path, input]) => path.includes('node_modules/zod/v4/locales/') && input.bytesInOutput > 0)
        .map(([path]) => path.split('/').at(-1));
      expect(locales.filter((file) => file !== 'en.js' && file !== 'index.js')).toEqual([]);
    },
  );
});
