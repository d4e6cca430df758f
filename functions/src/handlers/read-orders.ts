import { apiHandler, pathParam } from '../http/api-handler';
import { type AgencyDirectory, agencyOf, callerOf } from '../http/auth';
import { ForbiddenError, ValidationError } from '../http/errors';
import { type HttpEvent, json, validate } from '../http/middleware';
import type { Route } from '../http/router';
import {
  type AuditPageBody,
  type ItemPageBody,
  listOrdersQuerySchema,
  type OrderListBody,
  type OrderViewBody,
  pageQuerySchema,
} from '../http/schemas';
import {
  getAudit,
  getOrder,
  listItems,
  listOrders,
  OPERATOR_READER,
  type Reader,
  type ReadOrdersDeps,
} from '../use-cases/read-orders';
import { wireReadOrders } from '../wiring/wire-read-orders';

export type ReadOrdersHandlerDeps = ReadOrdersDeps & AgencyDirectory;

/** An operator's client (with `takedown/admin`) reads every agency's orders; an agency's only its own. */
function readerOf(event: HttpEvent, deps: ReadOrdersHandlerDeps): Reader {
  const caller = callerOf(event, 'takedown/read');
  if (caller.scopes.includes('takedown/admin')) return OPERATOR_READER;
  return agencyOf(caller, deps.agencyClients);
}

/** The agency whose orders a list shows: the caller's own, or for an operator the `agencyId` it asks for. */
function listedAgency(reader: Reader, asked: string | undefined): string {
  if (reader !== OPERATOR_READER) {
    if (asked !== undefined && asked !== reader)
      throw new ForbiddenError('an agency lists only its own orders: leave agencyId out or give your own');
    return reader;
  }
  if (asked === undefined)
    throw new ValidationError([
      { field: 'agencyId', message: 'is required for an operator (one agency at a time)' },
    ]);
  return asked;
}

export const routes: readonly Route<ReadOrdersHandlerDeps>[] = [
  {
    method: 'GET',
    resource: '/v1/takedown-requests',
    handler: async (event, deps) => {
      const reader = readerOf(event, deps);
      const filter = validate(listOrdersQuerySchema, event.queryStringParameters ?? {});
      const page = await listOrders(deps, {
        agencyId: listedAgency(reader, filter.agencyId),
        status: filter.status ?? null,
        platformId: filter.platformId ?? null,
        limit: filter.limit,
        cursor: filter.cursor ?? null,
      });
      return json<OrderListBody>(200, page);
    },
  },
  {
    method: 'GET',
    resource: '/v1/takedown-requests/{id}',
    handler: async (event, deps) => {
      const agencyId = readerOf(event, deps);
      return json<OrderViewBody>(200, await getOrder(deps, { agencyId, orderId: pathParam(event, 'id') }));
    },
  },
  {
    method: 'GET',
    resource: '/v1/takedown-requests/{id}/items',
    handler: async (event, deps) => {
      const agencyId = readerOf(event, deps);
      const orderId = pathParam(event, 'id');
      const page = validate(pageQuerySchema, event.queryStringParameters ?? {});
      const items = await listItems(deps, {
        agencyId,
        orderId,
        limit: page.limit,
        cursor: page.cursor ?? null,
      });
      return json<ItemPageBody>(200, items);
    },
  },
  {
    method: 'GET',
    resource: '/v1/takedown-requests/{id}/audit',
    handler: async (event, deps) => {
      const agencyId = readerOf(event, deps);
      const orderId = pathParam(event, 'id');
      const page = validate(pageQuerySchema, event.queryStringParameters ?? {});
      const audit = await getAudit(deps, {
        agencyId,
        orderId,
        limit: page.limit,
        cursor: page.cursor ?? null,
      });
      return json<AuditPageBody>(200, audit);
    },
  },
];

export const makeHandler = (deps: ReadOrdersHandlerDeps) => apiHandler(routes, deps);

export const handler = makeHandler(wireReadOrders());
