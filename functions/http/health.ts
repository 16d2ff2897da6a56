import { httpRoute, json } from '../../shared/http/handler';

export const handler = httpRoute({ auth: false }, async () => json(200, { status: 'ok' }));
