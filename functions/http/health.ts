import { httpRoute, json } from '../../shared/http/handler';

export const handler = httpRoute({ auth: false, summary: 'Liveness.' }, async () =>
  json(200, { status: 'ok' }),
);
