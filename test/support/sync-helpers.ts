import { expect } from 'vitest';
import { generatorOptions } from '../../shared/banks/kit/data-source';
import { bankEnv } from '../../shared/banks/kit/config';
import { generateUser } from '../../shared/generator';
import { visibleVersions } from '../../shared/generator/lifecycle';
import type {
  BankId,
  BankRecordVersion,
  GeneratedTransaction,
  GeneratedUser,
} from '../../shared/generator/types';
import { formatDecimal } from '../../shared/domain/money';
import type { Api } from './api';
import { submitConsent } from './api';

export interface T {
  id: string;
  account_id: string;
  date: string;
  amount: string;
  currency: string;
  description: string;
  status: string;
  updated_at: string;
}

/** Links `provider` for the API's user with the sandbox login, completes the callback, returns the connection id. */
export async function linkBank(api: Api, provider: string, username = 'user_good'): Promise<string> {
  const started = await api.post<{ authorize_url: string; state: string }>('/auth/link-bank', {
    provider,
    redirect_uri: 'http://127.0.0.1:9/cb',
  });
  expect(started.status).toBe(201);
  const consent = await submitConsent(started.body.authorize_url, { username });
  const code = new URL(consent.location!).searchParams.get('code')!;
  const done = await api.post<{ connection: { id: string } }>('/auth/callback', {
    state: started.body.state,
    code,
  });
  expect(done.status).toBe(201);
  return done.body.connection.id;
}

/** Waits until the connection's last sync finished after `after` (an RFC 3339 instant), and returns its status. */
export async function waitForSync(
  api: Api,
  connectionId: string,
  after: string,
  timeoutMs = 30_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const c = await api.get<{ last_sync_at: string | null; last_sync_status: string | null }>(
      `/connections/${connectionId}`,
    );
    if (c.body.last_sync_at && c.body.last_sync_at > after) return c.body.last_sync_status!;
    if (Date.now() > deadline) throw new Error(`no sync of ${connectionId} finished after ${after}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function allTransactions(api: Api, query = ''): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  do {
    const page: { body: { transactions: T[]; next_cursor: string | null } } = await api.get(
      `/transactions?limit=500${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    out.push(...page.body.transactions);
    cursor = page.body.next_cursor;
  } while (cursor);
  return out;
}

export async function bankAdmin(
  baseUrl: string,
  bank: string,
  path: 'clock' | 'faults' | 'reset',
  body: unknown,
) {
  const res = await fetch(`${baseUrl}/mock-banks/${bank}/admin/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-admin-token': 'local-admin' },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json() as Promise<Record<string, unknown>>;
}

/**
 * What the user should see from `bank` as of `atMs`, from the generator's ground truth: one entry per real
 * transaction still visible (re-sends merged, removed ones gone), with the values of the version that speaks for
 * it (a posted version before a pending one, then the first id).
 */
export function expectedFromTruth(
  bank: BankId,
  atMs: number,
  userIndex = 0,
  user: GeneratedUser = generateUser(generatorOptions(bankEnv()), userIndex),
): string[] {
  const out: string[] = [];
  for (const t of user.transactions.filter((x: GeneratedTransaction) => x.bank === bank)) {
    const visible = visibleVersions(t, atMs);
    if (!visible.length) continue;
    const v: BankRecordVersion = visible.find((x) => x.status === 'posted') ?? visible[0]!;
    out.push(
      key(
        t.currency,
        v.date,
        formatDecimal({ minor: v.amountMinor, currency: t.currency }),
        v.description,
        v.status,
      ),
    );
  }
  return out.sort();
}

export function key(
  currency: string,
  date: string,
  amount: string,
  description: string,
  status: string,
): string {
  return [currency, date, amount, description.replace(/\s+/g, ' ').trim(), status].join(' | ');
}

export const keyOf = (t: T) => key(t.currency, t.date, t.amount, t.description, t.status);
