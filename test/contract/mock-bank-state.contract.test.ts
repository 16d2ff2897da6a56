import { afterAll, beforeAll, describe } from 'vitest';
import { DynamoMockBankState } from '../../shared/adapters/dynamodb/mock-bank-state';
import { PgMockBankState } from '../../shared/adapters/postgres/mock-bank-state';
import { InMemoryMockBankState } from '../../shared/banks/kit/state';
import { freshTable } from '../support/dynamodb';
import { freshPglite, freshPostgres } from '../support/postgres';
import { BACKENDS, type BackendName } from './backends';
import { describeMockBankStateContract, type MockBankBackend } from './mock-bank-state-suite';

/**
 * The mock banks' state on every backend (the twin keeps it in the storage it runs on): DynamoDB Local (a fresh
 * table), PostgreSQL (a fresh database) and PGlite, as backends.ts names them (CONTRACT_BACKENDS).
 */
async function open(name: BackendName): Promise<{ backend: MockBankBackend; close: () => Promise<void> }> {
  if (name === 'dynamodb') {
    const table = await freshTable('contract-banks');
    return {
      backend: { state: (bank) => new DynamoMockBankState(table.doc, table.tableName, bank) },
      close: () => table.drop(),
    };
  }
  const db = name === 'postgres' ? await freshPostgres() : await freshPglite();
  return {
    backend: {
      state: (bank) => new PgMockBankState(db.conn, bank),
      withNow: (bank, seconds) => new PgMockBankState(db.conn, bank, () => seconds),
    },
    close: () => db.drop(),
  };
}

for (const name of BACKENDS) {
  describe(`[${name}]`, () => {
    let opened: Awaited<ReturnType<typeof open>> | undefined;
    beforeAll(async () => {
      opened = await open(name);
    });
    afterAll(async () => {
      await opened?.close();
    });
    describeMockBankStateContract(name, () => {
      if (!opened) throw new Error(`the ${name} backend did not open`);
      return opened.backend;
    });
  });
}

// The in-memory state (the scripted banks in unit tests): one instance per bank stands for the shared storage.
describe('[in-memory]', () => {
  const banks = new Map<string, InMemoryMockBankState>();
  const state = (bank: string) => {
    let s = banks.get(bank);
    if (!s) banks.set(bank, (s = new InMemoryMockBankState()));
    return s;
  };
  describeMockBankStateContract('in-memory', () => ({ state }));
});
