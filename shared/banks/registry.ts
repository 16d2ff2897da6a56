import { bank_a } from './bank_a';
import { bank_b } from './bank_b';
import { bank_c } from './bank_c';
import type { BankModule } from './kit/bank-module';
import type { Provider } from './kit/provider';

/**
 * The provider registry. Adding bank_d: one folder `shared/banks/bank_d/` (wire.ts, server.ts, client.ts,
 * index.ts, README.md) and one line below. (Serving it as a mock bank also takes functions/banks/bank_d.ts and a
 * catalogue entry, like the other three.)
 */
export const banks: readonly BankModule[] = [bank_a, bank_b, bank_c];

export type ProviderEntry = Provider;

/** Our clients for every bank, configured from the environment (read at each call). */
export const providers: readonly Provider[] = banks.map((b) => ({
  id: b.protocol.id,
  name: b.protocol.name,
  client: b.createClient(),
}));

export function getProvider(id: string): Provider | undefined {
  return providers.find((p) => p.id === id);
}

export function getBank(id: string): BankModule | undefined {
  return banks.find((b) => b.protocol.id === id);
}
