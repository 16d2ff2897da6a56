/**
 * `npm run plaid:webhooks -- <command>`: the operator's view of the Plaid surface's webhooks, against the table
 * and key the environment names (TABLE_NAME, KMS_KEY_ID or TOKEN_ENCRYPTION_KEY, AWS credentials).
 *
 *   key [--env sandbox]             the current signing key of an environment (its public JWK)
 *   rotate-key [--env sandbox]      a new signing key; the old one keeps verifying what it signed (expired_at set)
 *   attempts <item_id> [--limit N]  the item's webhook delivery attempts, newest first
 */
import { parseArgs } from 'node:util';
import { plaidJwk, PlaidEnvironmentSchema } from '../shared/domain/plaid/webhooks';
import { getRuntime, webhookPorts } from '../shared/runtime';
import { webhookAttempts } from '../shared/services/plaid/webhooks';
import { currentWebhookKey, rotateWebhookKey } from '../shared/services/plaid/webhooks-keys';

const USAGE =
  'usage: npm run plaid:webhooks -- key [--env sandbox] | rotate-key [--env sandbox] | attempts <item_id> [--limit N]';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { env: { type: 'string', default: 'sandbox' }, limit: { type: 'string', default: '50' } },
  });
  const [command, arg] = positionals;
  const environment = PlaidEnvironmentSchema.parse(values.env);
  const { cipher, clock } = getRuntime();
  const { store } = webhookPorts();
  const deps = { keys: store, cipher, clock };
  const print = (v: unknown): void => void process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
  switch (command) {
    case 'key':
      return print(plaidJwk(await currentWebhookKey(deps, environment)));
    case 'rotate-key':
      return print(plaidJwk(await rotateWebhookKey(deps, environment)));
    case 'attempts':
      if (!arg) throw new Error(USAGE);
      return print(await webhookAttempts({ log: store }, arg, Number(values.limit)));
    default:
      throw new Error(USAGE);
  }
}

main().catch((err: Error) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
});
