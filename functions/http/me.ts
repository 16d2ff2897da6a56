import { httpRoute, json } from '../../shared/http/handler';

/** The authenticated no-op: who the verified token says the caller is. */
export const handler = httpRoute({ summary: 'The caller, as the API sees them.' }, async ({ userId }) =>
  json(200, { user_id: userId }),
);
