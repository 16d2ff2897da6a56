import { httpRoute, json } from '../../shared/http/handler';
import { providers } from '../../shared/banks/registry';

export const handler = httpRoute({ summary: 'The banks a user can link.' }, async () =>
  json(200, { providers: providers.map((p) => ({ id: p.id, name: p.name })) }),
);
