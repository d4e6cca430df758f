import { type AgencyDirectory, agencyOf, callerOf } from './auth';
import { ForbiddenError } from './errors';
import type { HttpEvent } from './middleware';

/**
 * Who reads orders: an operator (the `takedown/admin` scope) reads every agency's, anyone else must be a declared
 * agency and reads its own. `null` stands for the operator, as `OPERATOR_READER` in the read use cases.
 */
export function orderReaderOf(event: HttpEvent, directory: AgencyDirectory): string | null {
  const caller = callerOf(event, 'takedown/read');
  if (caller.scopes.includes('takedown/admin')) return null;
  return agencyOf(caller, directory.agencyClients);
}

/**
 * The agencies whose orders a list shows: an agency's own (it may name only itself); for an operator the one it
 * names, else every agency `AGENCY_CLIENTS` declares (operators' own ids among them hold no orders).
 */
export function listedAgencies(reader: string | null, asked: string | undefined, directory: AgencyDirectory) {
  if (reader !== null) {
    if (asked !== undefined && asked !== reader)
      throw new ForbiddenError('an agency lists only its own orders: leave agencyId out or give your own');
    return [reader];
  }
  if (asked !== undefined) return [asked];
  return [...new Set(Object.values(directory.agencyClients))].sort();
}
