import { apiHandler, pathParam } from '../http/api-handler';
import { type AgencyDirectory, callerOf } from '../http/auth';
import { type ExecutionViewBody, executionQuerySchema } from '../http/execution-schemas';
import { type HttpEvent, json, validate } from '../http/middleware';
import type {
  PlatformSecretsViewBody,
  PlatformViewBody,
  RegisteredPlatformBody,
} from '../http/platform-view-schemas';
import type { Route } from '../http/router';
import {
  type PersonalDataErasureResultBody,
  personalDataErasureBodySchema,
  registerPlatformBodySchema,
} from '../http/schemas';
import { createPlatformUserBodySchema, type PlatformUserBody } from '../http/staff-schemas';
import {
  type EraseAuditPersonalDataDeps,
  eraseAuditPersonalData,
} from '../use-cases/erase-audit-personal-data';
import { type ExecutionViewDeps, executionView } from '../use-cases/execution-view';
import {
  getPlatform,
  listPlatforms,
  type RedeliverDeps,
  type RegisterPlatformDeps,
  type RotateSecretsDeps,
  redeliver,
  registerPlatform,
  rotateSecrets,
} from '../use-cases/operator';
import { createPlatformStaffUser, type PlatformStaffDeps } from '../use-cases/platform-staff';
import { wireOperator } from '../wiring/wire-operator';

export type OperatorHandlerDeps = RegisterPlatformDeps &
  RotateSecretsDeps &
  RedeliverDeps &
  EraseAuditPersonalDataDeps &
  PlatformStaffDeps &
  ExecutionViewDeps &
  AgencyDirectory;

/**
 * Requires the admin scope; answers the operator acting: a person's username, else the client's name in
 * AGENCY_CLIENTS, else its client id.
 */
function authorizeOperator(event: HttpEvent, deps: OperatorHandlerDeps): string {
  const caller = callerOf(event, 'takedown/admin');
  return caller.person?.username ?? deps.agencyClients[caller.clientId] ?? caller.clientId;
}

export const routes: readonly Route<OperatorHandlerDeps>[] = [
  {
    method: 'POST',
    resource: '/v1/platforms',
    handler: async (event, deps) => {
      authorizeOperator(event, deps);
      const body = validate(registerPlatformBodySchema, event.jsonBody);
      return json<RegisteredPlatformBody>(201, await registerPlatform(deps, body), {
        'cache-control': 'no-store',
      });
    },
  },
  {
    method: 'GET',
    resource: '/v1/platforms',
    handler: async (event, deps) => {
      authorizeOperator(event, deps);
      return json<{ items: PlatformViewBody[] }>(200, await listPlatforms(deps));
    },
  },
  {
    method: 'GET',
    resource: '/v1/platforms/{platformId}',
    handler: async (event, deps) => {
      authorizeOperator(event, deps);
      return json<PlatformViewBody>(200, await getPlatform(deps, pathParam(event, 'platformId')));
    },
  },
  {
    method: 'POST',
    resource: '/v1/platforms/{platformId}/secret-rotation',
    handler: async (event, deps) => {
      authorizeOperator(event, deps);
      return json<PlatformSecretsViewBody>(200, await rotateSecrets(deps, pathParam(event, 'platformId')));
    },
  },
  {
    method: 'POST',
    resource: '/v1/platforms/{platformId}/users',
    handler: async (event, deps) => {
      authorizeOperator(event, deps);
      const body = validate(createPlatformUserBodySchema, event.jsonBody);
      const user = await createPlatformStaffUser(deps, {
        platformId: pathParam(event, 'platformId'),
        ...body,
      });
      // The temporary password is in this body only: never logged, never cached.
      return json<PlatformUserBody>(201, user, { 'cache-control': 'no-store' });
    },
  },
  {
    method: 'POST',
    resource: '/v1/takedown-requests/{id}/redelivery',
    handler: async (event, deps) => {
      const operatorId = authorizeOperator(event, deps);
      return json(202, await redeliver(deps, { orderId: pathParam(event, 'id'), operatorId }));
    },
  },
  {
    method: 'POST',
    resource: '/v1/takedown-requests/{id}/personal-data-erasure',
    handler: async (event, deps) => {
      const operatorId = authorizeOperator(event, deps);
      const orderId = pathParam(event, 'id');
      const body = validate(personalDataErasureBodySchema, event.jsonBody);
      const erasure = await eraseAuditPersonalData(deps, {
        orderId,
        operatorId,
        requestReference: body.requestReference,
      });
      return json<PersonalDataErasureResultBody>(200, erasure);
    },
  },
  {
    method: 'GET',
    resource: '/v1/takedown-requests/{id}/execution',
    handler: async (event, deps) => {
      authorizeOperator(event, deps);
      const page = validate(executionQuerySchema, event.queryStringParameters ?? {});
      const view = await executionView(deps, {
        orderId: pathParam(event, 'id'),
        limit: page.limit,
        nextToken: page.nextToken ?? null,
      });
      return json<ExecutionViewBody>(200, view);
    },
  },
];

export const makeHandler = (deps: OperatorHandlerDeps) => apiHandler(routes, deps);

export const handler = makeHandler(wireOperator());
