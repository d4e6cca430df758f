import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ForbiddenError, UnauthorizedError } from './errors';

export type Scope = 'takedown/read' | 'takedown/write' | 'takedown/admin' | 'takedown/platform';

/** `AGENCY_CLIENTS`: which agency (or operator) each Cognito app client acts for. */
export interface AgencyDirectory {
  agencyClients: Readonly<Record<string, string>>;
}

export interface Caller {
  clientId: string;
  principalId: string;
  scopes: string[];
}

/** Reads the Cognito claims the authorizer put on the event; the agency never comes from the body. */
export function callerOf(event: APIGatewayProxyEvent, required: Scope): Caller {
  const claims = (event.requestContext?.authorizer?.claims ?? null) as Record<string, unknown> | null;
  const clientId = typeof claims?.client_id === 'string' ? claims.client_id : null;
  if (clientId === null) throw new UnauthorizedError('no authenticated client');
  const scopes =
    typeof claims?.scope === 'string' ? claims.scope.split(' ').filter((scope) => scope !== '') : [];
  if (!scopes.includes(required)) throw new ForbiddenError(`the token lacks the ${required} scope`);
  return { clientId, principalId: typeof claims?.sub === 'string' ? claims.sub : clientId, scopes };
}

/** Maps the token's client to its agency (AGENCY_CLIENTS); an undeclared client is refused. */
export function agencyOf(caller: Caller, agencyClients: Readonly<Record<string, string>>): string {
  const agencyId = agencyClients[caller.clientId];
  if (agencyId === undefined) throw new ForbiddenError('this client is not declared as an agency');
  return agencyId;
}
