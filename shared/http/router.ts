import type { Context } from 'aws-lambda';
import type { HttpEvent, HttpResult } from './handler';
import { HttpProblem, problemResponse } from './problem';

type Route = (event: HttpEvent, context: Context) => Promise<HttpResult>;

/**
 * One Lambda serving several routes of one resource: API Gateway tells which in `routeKey`
 * (`GET /accounts/{id}`), and each route keeps its own middy stack and schemas.
 */
export function router(routes: Record<string, Route>): Route {
  return async (event, context) => {
    const route = routes[event.routeKey];
    if (!route) {
      return problemResponse(new HttpProblem(404, `No route matches ${event.routeKey}.`));
    }
    return route(event, context);
  };
}
