import type { APIGatewayProxyResult } from 'aws-lambda';
import { UnknownRouteError } from './errors';
import type { HttpEvent } from './middleware';

/** One route of an API function: its method and API Gateway resource, and what answers it. */
export interface Route<D> {
  method: 'GET' | 'POST' | 'DELETE';
  /** The resource as API Gateway names it (`event.resource`), e.g. `/v1/takedown-requests/{id}`. */
  resource: string;
  handler: (event: HttpEvent, deps: D) => Promise<APIGatewayProxyResult>;
}

/** Dispatches by method and resource through the function's route table; anything else is a 404 problem. */
export function routeTo<D>(routes: readonly Route<D>[], deps: D) {
  const table = new Map(routes.map((route) => [`${route.method} ${route.resource}`, route.handler]));
  return (event: HttpEvent): Promise<APIGatewayProxyResult> => {
    const handler = table.get(`${event.httpMethod} ${event.resource}`);
    if (handler === undefined) throw new UnknownRouteError(`no route ${event.httpMethod} ${event.resource}`);
    return handler(event, deps);
  };
}
