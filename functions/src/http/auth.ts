import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ForbiddenError, UnauthorizedError } from './errors';

export type Scope = 'takedown/read' | 'takedown/write' | 'takedown/admin' | 'takedown/platform';

/** `AGENCY_CLIENTS`: which agency (or operator) each Cognito app client acts for. */
export interface AgencyDirectory {
  agencyClients: Readonly<Record<string, string>>;
}

/** What a person (a token of the staff pool) acts as, from their one Cognito group. */
export type PersonRole =
  | { kind: 'operator' }
  | { kind: 'agency'; agencyId: string }
  | { kind: 'platform'; platformId: string };

export interface Person {
  username: string;
  groups: string[];
  role: PersonRole;
}

export interface Caller {
  clientId: string;
  principalId: string;
  /** For a person: the token's scopes that their role may use (the console client requests them all). */
  scopes: string[];
  /** Set for a person's token (it has `username`); null for a machine client's client-credentials token. */
  person: Person | null;
}

/** The scopes each kind of person may use, as the machine clients of that kind hold them. */
const ROLE_SCOPES: Record<PersonRole['kind'], readonly string[]> = {
  operator: ['takedown/read', 'takedown/admin'],
  agency: ['takedown/read', 'takedown/write'],
  platform: ['takedown/platform'],
};

/**
 * API Gateway hands claims over as strings: `cognito:groups` arrives as `[a, b]`, `["a","b"]`, `a,b` or `a b`
 * depending on the path it took. Group names hold neither spaces, commas, brackets nor quotes.
 */
export function parseGroups(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((group): group is string => typeof group === 'string');
  if (typeof value !== 'string') return [];
  return value
    .split(/[\s,[\]"]+/)
    .map((group) => group.trim())
    .filter((group) => group !== '');
}

/** The one role of a person's groups; none, or two that disagree, is refused. */
export function roleOf(groups: readonly string[]): PersonRole {
  const roles: PersonRole[] = [];
  for (const group of new Set(groups)) {
    if (group === 'operator') roles.push({ kind: 'operator' });
    else if (group.startsWith('agency:') && group.length > 'agency:'.length)
      roles.push({ kind: 'agency', agencyId: group.slice('agency:'.length) });
    else if (group.startsWith('platform:') && group.length > 'platform:'.length)
      roles.push({ kind: 'platform', platformId: group.slice('platform:'.length) });
  }
  const [role, ...others] = roles;
  if (role === undefined)
    throw new ForbiddenError(
      'this person is in no Tenggat group (operator, agency:<agencyId> or platform:<platformId>); ask an operator to add them',
    );
  if (others.length > 0)
    throw new ForbiddenError(
      `this person is in conflicting groups (${groups.join(', ')}); a person acts in exactly one role`,
    );
  return role;
}

/** Reads the Cognito claims the authorizer put on the event; the agency never comes from the body. */
export function callerOf(event: APIGatewayProxyEvent, required: Scope): Caller {
  const claims = (event.requestContext?.authorizer?.claims ?? null) as Record<string, unknown> | null;
  const clientId = typeof claims?.client_id === 'string' ? claims.client_id : null;
  if (clientId === null) throw new UnauthorizedError('no authenticated client');
  const granted =
    typeof claims?.scope === 'string' ? claims.scope.split(' ').filter((scope) => scope !== '') : [];
  const principalId = typeof claims?.sub === 'string' ? claims.sub : clientId;
  // Client-credentials tokens carry no username: only a signed-in person's access token does.
  const username = typeof claims?.username === 'string' && claims.username !== '' ? claims.username : null;
  let person: Person | null = null;
  let scopes = granted;
  if (username !== null) {
    const groups = parseGroups(claims?.['cognito:groups']);
    const role = roleOf(groups);
    person = { username, groups, role };
    scopes = granted.filter((scope) => ROLE_SCOPES[role.kind].includes(scope));
  }
  if (!scopes.includes(required)) throw new ForbiddenError(`the token lacks the ${required} scope`);
  return { clientId, principalId, scopes, person };
}

/**
 * The agency the caller acts for: a person's `agency:<agencyId>` group, a machine client's entry in AGENCY_CLIENTS.
 * A person is never looked up by client id (theirs is the console's).
 */
export function agencyOf(caller: Caller, agencyClients: Readonly<Record<string, string>>): string {
  if (caller.person !== null) {
    if (caller.person.role.kind !== 'agency')
      throw new ForbiddenError(`a person in the ${caller.person.role.kind} role does not act for an agency`);
    return caller.person.role.agencyId;
  }
  const agencyId = agencyClients[caller.clientId];
  if (agencyId === undefined) throw new ForbiddenError('this client is not declared as an agency');
  return agencyId;
}

/** The officer recorded on what the caller does: a person is who they signed in as; a machine names one. */
export function officerOf(caller: Caller, named: string | undefined): string | null {
  return caller.person?.username ?? named ?? null;
}
