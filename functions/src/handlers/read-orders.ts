import { apiHandler, pathParam } from '../http/api-handler';
import type { AgencyDirectory } from '../http/auth';
import { ValidationError } from '../http/errors';
import { type HttpEvent, json, validate } from '../http/middleware';
import { listedAgencies, orderReaderOf } from '../http/readers';
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
const readerOf = (event: HttpEvent, deps: ReadOrdersHandlerDeps): Reader =>
  orderReaderOf(event, deps) ?? OPERATOR_READER;

export const routes: readonly Route<ReadOrdersHandlerDeps>[] = [
  {
    method: 'GET',
    resource: '/v1/takedown-requests',
    handler: async (event, deps) => {
      const reader = readerOf(event, deps);
      const filter = validate(listOrdersQuerySchema, event.queryStringParameters ?? {});
      if (filter.reference !== undefined && filter.locator !== undefined)
        throw new ValidationError([
          { field: 'locator', message: 'give reference or locator, not both (one search at a time)' },
        ]);
      const page = await listOrders(deps, {
        agencyIds: listedAgencies(reader, filter.agencyId, deps),
        status: filter.status ?? null,
        stage: filter.stage ?? null,
        platformId: filter.platformId ?? null,
        reference: filter.reference ?? null,
        locator: filter.locator ?? null,
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
