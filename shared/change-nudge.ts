import type { ChangeNudge } from './ports/change-feed';

let nudge: ChangeNudge | undefined;

/**
 * Tells the outbox relay that changes were written: an asynchronous invoke of CHANGES_RELAY_FUNCTION (Postgres
 * storage in the cloud); nothing where it is unset (DynamoDB storage, whose stream needs no relay; the twin, whose
 * relay LISTENs).
 */
export function changeNudge(): ChangeNudge {
  if (nudge) return nudge;
  const fn = process.env.CHANGES_RELAY_FUNCTION;
  if (!fn) return (nudge = { nudge: async () => undefined });
  let loaded: Promise<ChangeNudge> | undefined;
  const load = () =>
    (loaded ??= Promise.all([import('@aws-sdk/client-lambda'), import('./adapters/lambda/relay-nudge')]).then(
      ([lambda, adapter]) => new adapter.LambdaRelayNudge(new lambda.LambdaClient({}), fn),
    ));
  nudge = { nudge: async () => (await load()).nudge() };
  return nudge;
}

/** Forgets the nudge built from the environment (shared/runtime.ts resetRuntime). */
export function resetChangeNudge(): void {
  nudge = undefined;
}
