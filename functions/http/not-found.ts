import { allRoutes, compilePath } from '../../lib/catalogue';
import { httpRoute } from '../../shared/http/handler';
import { HttpProblem } from '../../shared/http/problem';

const routes = allRoutes().map((r) => ({ ...r, match: compilePath(r.path) }));

/**
 * API Gateway's `$default` route: anything no other route matched. A known path with another method is 405 with
 * an Allow header; everything else is 404. Both as problem+json, in the cloud and in the twin alike.
 */
export const handler = httpRoute({ auth: false }, async ({ event }) => {
  const path = event.rawPath;
  const allowed = [...new Set(routes.filter((r) => r.match(path)).map((r) => r.method))];
  if (allowed.length > 0) {
    throw new HttpProblem(405, `${event.requestContext.http.method} is not allowed on ${path}.`, {
      headers: { allow: allowed.join(', ') },
    });
  }
  throw new HttpProblem(404, `No route matches ${event.requestContext.http.method} ${path}.`);
});
