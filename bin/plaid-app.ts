/**
 * `npm run plaid:app -- <command>`: the operator's command for Plaid applications (issue 15), against the table
 * TABLE_NAME (AWS credentials and region from the environment; AWS_ENDPOINT_URL_DYNAMODB for DynamoDB Local or
 * LocalStack), through the same service the API authenticates with (shared/services/plaid/applications.ts).
 *
 *   create --name NAME [--redirect-uri URI ...] [--client-id ID] [--secret S]   prints client_id and secret (once)
 *   rotate --client-id ID                                                       a new secret; the old one stops
 *   list                                                                        client_id, name, created, rotated
 *
 * Secrets are stored only as SHA-256 hashes: the secret printed here is the only copy.
 */
import { parseArgs } from 'node:util';
import { createDocumentClient } from '../shared/adapters/dynamodb/client';
import { DynamoStore } from '../shared/adapters/dynamodb/store';
import { systemClock } from '../shared/ports/clock';
import { createApplication, rotateSecret } from '../shared/services/plaid/applications';

const USAGE = `usage: npm run plaid:app -- create --name NAME [--redirect-uri URI ...] [--client-id ID] [--secret S]
       npm run plaid:app -- rotate --client-id ID
       npm run plaid:app -- list
(table: TABLE_NAME, default finagg-local; AWS credentials, region and endpoint from the environment)`;

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    name: { type: 'string' },
    'client-id': { type: 'string' },
    secret: { type: 'string' },
    'redirect-uri': { type: 'string', multiple: true },
    json: { type: 'boolean', default: false },
  },
});

const tableName = process.env.TABLE_NAME ?? 'finagg-local';
const doc = createDocumentClient();
const store = new DynamoStore(doc, tableName);
const deps = { store, clock: systemClock };

const print = (fields: Record<string, string>) => {
  if (values.json) process.stdout.write(`${JSON.stringify(fields)}\n`);
  else for (const [k, v] of Object.entries(fields)) process.stdout.write(`${k}: ${v}\n`);
};

try {
  switch (positionals[0]) {
    case 'create': {
      if (!values.name) fail('create needs --name');
      const created = await createApplication(deps, {
        name: values.name,
        clientId: values['client-id'],
        secret: values.secret,
        allowedRedirectUris: values['redirect-uri'] ?? [],
      });
      print({
        client_id: created.application.clientId,
        secret: created.secret,
        name: created.application.name,
      });
      break;
    }
    case 'rotate': {
      if (!values['client-id']) fail('rotate needs --client-id');
      const rotated = await rotateSecret(deps, values['client-id'], values.secret);
      print({
        client_id: rotated.application.clientId,
        secret: rotated.secret,
        rotated_at: rotated.application.secretCreatedAt,
      });
      break;
    }
    case 'list': {
      for (const a of await store.listPlaidApplications()) {
        print({
          client_id: a.clientId,
          name: a.name,
          created_at: a.createdAt,
          secret_created_at: a.secretCreatedAt,
        });
      }
      break;
    }
    default:
      fail(positionals[0] ? `unknown command ${positionals[0]}` : 'a command is required');
  }
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exitCode = 1;
} finally {
  doc.destroy();
}
