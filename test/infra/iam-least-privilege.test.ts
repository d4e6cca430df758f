import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FUNCTION_IDS } from '../../lib/functions';
import { synthTenggat } from './synth-tenggat';

/**
 * Every IAM policy statement in the synthesized template, and the wildcards each one carries, checked against
 * `iam-wildcards.allowed.json`: a wildcard action (`*`, `service:*`, `s3:Get*`) or a wildcard resource (`*`, an ARN
 * with `*` in it) must be justified there, and every justification must still be needed.
 *
 * Enumerated: `AWS::IAM::Policy` and `AWS::IAM::ManagedPolicy` documents, inline `Policies` of `AWS::IAM::Role`,
 * and AWS managed policies attached by ARN (their documents are not in the template, so each attachment is itself a
 * finding that must be justified). Skipped: KMS key policies, where `Resource: "*"` means "this key" and the
 * account-root statement only delegates to IAM (the policies enumerated here); role trust policies, which grant no
 * permissions and are checked below to name service principals only.
 */

type Json = Record<string, unknown>;
interface AllowedWildcard {
  /** Prefix of the logical id of the role or policy that holds the statement. */
  readonly principal: string;
  /** The action exactly as written in the statement, or `(managed policy)` for an attached AWS managed policy. */
  readonly action: string;
  /** Regular expression (anchored at both ends) over the resource as rendered by `renderResource`. */
  readonly resource: string;
  /** Why a reviewer should accept it. */
  readonly why: string;
}
interface Grant {
  /** Logical ids that hold the statement: the policy and the roles it is attached to. */
  readonly holders: readonly string[];
  readonly action: string;
  readonly resource: string;
}

const MANAGED_POLICY = '(managed policy)';
const allowed = JSON.parse(
  readFileSync(join(import.meta.dirname, 'iam-wildcards.allowed.json'), 'utf8'),
) as AllowedWildcard[];

// One synth for the file (no bundling: these tests read the template only).
const { template } = synthTenggat();
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties?: Json }>;

/**
 * Renders a policy resource to the string IAM will see, with `{LogicalId}` for names and ids only known on AWS.
 * A log group's `Arn` attribute is rendered as AWS returns it, ending in `:*` (every stream of that group).
 */
function renderResource(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const record = value as Json;
    const join = record['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1]))
      return join[1].map(renderResource).join(join[0]);
    const ref = record.Ref;
    if (typeof ref === 'string') return ref === 'AWS::Partition' ? 'aws' : `{${ref}}`;
    const getAtt = record['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') {
      const target = resources[getAtt[0]];
      if (target?.Type === 'AWS::Logs::LogGroup' && getAtt[1] === 'Arn')
        return `arn:aws:logs:ap-southeast-3:123456789012:log-group:{${getAtt[0]}}:*`;
      return `{${getAtt[0]}.${String(getAtt[1])}}`;
    }
  }
  return `<unrendered ${JSON.stringify(value)}>`;
}

function refsOf(list: unknown): string[] {
  return (Array.isArray(list) ? list : [])
    .map((entry) => (entry as { Ref?: unknown }).Ref)
    .filter((ref): ref is string => typeof ref === 'string');
}

function grantsOfDocument(document: unknown, holders: readonly string[]): Grant[] {
  const statements = [((document ?? {}) as { Statement?: unknown }).Statement ?? []].flat() as Json[];
  return statements.flatMap((statement) => {
    // NotAction / NotResource grant everything but a list: as broad as a wildcard.
    const actions = [statement.Action ?? `NotAction:${JSON.stringify(statement.NotAction)}`]
      .flat()
      .map(String);
    const targets = [statement.Resource ?? `NotResource:${JSON.stringify(statement.NotResource)}*`]
      .flat()
      .map(renderResource);
    return actions.flatMap((action) => targets.map((resource) => ({ holders, action, resource })));
  });
}

const grants: Grant[] = Object.entries(resources).flatMap(([logicalId, resource]) => {
  const properties = resource.Properties ?? {};
  switch (resource.Type) {
    case 'AWS::IAM::Policy':
    case 'AWS::IAM::ManagedPolicy':
      return grantsOfDocument(properties.PolicyDocument, [logicalId, ...refsOf(properties.Roles)]);
    case 'AWS::IAM::Role': {
      const inline = ((properties.Policies ?? []) as { PolicyDocument: unknown }[]).flatMap((policy) =>
        grantsOfDocument(policy.PolicyDocument, [logicalId]),
      );
      const attached = [properties.ManagedPolicyArns ?? []].flat().map((arn) => ({
        holders: [logicalId],
        action: MANAGED_POLICY,
        resource: renderResource(arn),
      }));
      return [...inline, ...attached];
    }
    default:
      return [];
  }
});

const isWildcard = (grant: Grant) =>
  grant.action === MANAGED_POLICY ||
  /[*?]/.test(grant.action) ||
  grant.action.startsWith('NotAction:') ||
  grant.resource.includes('*');

function justification(grant: Grant): AllowedWildcard | undefined {
  return allowed.find(
    (entry) =>
      entry.action === grant.action &&
      grant.holders.some((holder) => holder.startsWith(entry.principal)) &&
      new RegExp(`^(?:${entry.resource})$`).test(grant.resource),
  );
}

describe('least privilege: every IAM statement in the template', () => {
  it('is enumerated (every function role, the state machine role and the API logging role)', () => {
    const holders = new Set(grants.flatMap((grant) => grant.holders));
    for (const functionId of FUNCTION_IDS) {
      expect(
        [...holders].some((holder) => holder.startsWith(`Functions${functionId}Role`)),
        functionId,
      ).toBe(true);
    }
    expect([...holders].some((holder) => holder.startsWith('WorkflowStateMachineRole'))).toBe(true);
    expect([...holders].some((holder) => holder.startsWith('ApiRestApiCloudWatchRole'))).toBe(true);
    expect(grants.every((grant) => !grant.resource.startsWith('<unrendered'))).toBe(true);
  });

  it('has no wildcard action or resource that the allowed list does not justify', () => {
    const unjustified = grants
      .filter(isWildcard)
      .filter((grant) => !justification(grant))
      .map((grant) => `${grant.holders.join('/')}: ${grant.action} on ${grant.resource}`);
    expect(unjustified).toEqual([]);
  });

  it('keeps the allowed list honest: every entry is still needed and says why', () => {
    const used = new Set(grants.filter(isWildcard).map(justification));
    const unused = allowed
      .filter((entry) => !used.has(entry))
      .map((entry) => `${entry.principal} ${entry.action}`);
    expect(unused).toEqual([]);
    for (const entry of allowed) {
      expect(entry.why.length, `${entry.principal} ${entry.action}`).toBeGreaterThanOrEqual(60);
      // A justification for "everything" would make the list meaningless.
      expect(entry.action, entry.principal).not.toMatch(/^(\*|[a-z0-9-]+:\*)$/);
    }
  });

  it('lets only services assume the roles', () => {
    for (const [logicalId, resource] of Object.entries(resources)) {
      if (resource.Type !== 'AWS::IAM::Role') continue;
      const trust = resource.Properties?.AssumeRolePolicyDocument as { Statement: Json[] };
      for (const statement of trust.Statement) {
        expect(statement.Effect, logicalId).toBe('Allow');
        expect(Object.keys(statement.Principal as Json), logicalId).toEqual(['Service']);
      }
    }
  });
});
