import type { Context } from 'aws-lambda';
import type { HttpEvent, HttpResult, RouteHandler } from './handler';
import { HttpProblem, problemResponse } from './problem';

type Route = (event: HttpEvent, context: Context) => Promise<HttpResult>;

/** A Lambda serving several routes, with them by route key (`GET /accounts/{id}`) for the OpenAPI generator. */
export type RouterHandler = Route & { readonly routes: Readonly<Record<string, RouteHandler>> };

/**
 * One Lambda serving several routes of one resource: API Gateway tells which in `routeKey`
 * (`GET /accounts/{id}`), and each route keeps its own middy stack and schemas.
 */
export function router(routes: Record<string, RouteHandler>): RouterHandler {
  const handle = async (event: HttpEvent, context: Context): Promise<HttpResult> => {
    const route = routes[event.routeKey];
    if (!route) {
      return problemResponse(new HttpProblem(404, `No route matches ${event.routeKey}.`));
    }
    return route(event, context);
  };
  return Object.assign(handle, { routes });
}
