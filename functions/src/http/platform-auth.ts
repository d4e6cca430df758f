import type { APIGatewayProxyEvent } from 'aws-lambda';
import { NotFoundError } from '../domain/errors';
import type { PlatformRepository } from '../ports';
import { callerOf } from './auth';

/** The group that makes a human user staff of a platform (the console's user pool). */
export const platformGroup = (platformId: string): string => `platform:${platformId}`;

/**
 * The `cognito:groups` claim as a list. API Gateway hands claims to Lambda as strings, so a list arrives as
 * `["a","b"]`, `[a b]` or `a,b`; a local or direct invocation may pass a real array.
 */
export function groupsOf(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.filter((group): group is string => typeof group === 'string');
  if (typeof claim !== 'string') return [];
  const text = claim.trim();
  if (text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return groupsOf(parsed);
    } catch {
      // not JSON: `[a b]` as API Gateway prints a list
    }
  }
  return text
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .map((group) => group.replace(/^"|"$/g, ''))
    .filter((group) => group !== '');
}

/**
 * The platform the caller acts for, when it is `platformId`: staff in group `platform:<platformId>`, or one of the
 * platform's own machine clients. Anything else is "not found", so that a platform id reveals nothing.
 */
export async function actingPlatform(
  event: APIGatewayProxyEvent,
  deps: { platforms: Pick<PlatformRepository, 'get'> },
  platformId: string,
): Promise<string> {
  const caller = callerOf(event, 'takedown/platform');
  const claims = (event.requestContext?.authorizer?.claims ?? {}) as Record<string, unknown>;
  if (groupsOf(claims['cognito:groups']).includes(platformGroup(platformId))) return platformId;
  const platform = await deps.platforms.get(platformId);
  if (platform?.machineClientIds?.includes(caller.clientId)) return platformId;
  throw new NotFoundError(`platform ${platformId} has no orders for this caller`);
}
