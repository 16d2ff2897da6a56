import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../support/api';
import { devToken, startTwinProcess, type TwinProcess } from '../support/twin-process';
import {
  allTransactions,
  bankAdmin,
  expectedFromTruth,
  keyOf,
  linkBank,
  waitForSync,
  type T,
} from '../support/sync-helpers';
import type { BankId } from '../../shared/generator/types';

const T1 = '2026-03-01T00:00:00.000Z';
const T2 = '2026-04-15T00:00:00.000Z';
const BANKS: BankId[] = ['bank_a', 'bank_b', 'bank_c'];

let twin: TwinProcess;
let api: Api;
let token: string;
const connections = new Map<BankId, string>();

beforeAll(async () => {
  twin = await startTwinProcess({ env: { MOCK_BANK_CLOCK: T1 } });
  token = await devToken(twin.url, 'sync-user');
  api = new Api(twin.url).withToken(token);
  const before = new Date(Date.now() - 1000).toISOString();
  for (const bank of BANKS) connections.set(bank, await linkBank(api, bank));
  for (const id of connections.values()) expect(await waitForSync(api, id, before)).toBe('succeeded');
});
afterAll(async () => twin?.stop());

function expectedAll(atMs: number): string[] {
  return BANKS.flatMap((b) => expectedFromTruth(b, atMs)).sort();
}

describe('sync against the mock banks, compared with the generator ground truth', () => {
  it('shows exactly what the banks say after the first sync, once each', async () => {
    const txns = await allTransactions(api);
    expect(txns.length).toBeGreaterThan(100);
    expect(txns.map(keyOf).sort()).toEqual(expectedAll(Date.parse(T1)));
    // Newest first.
    const dates = txns.map((t) => t.date);
    expect([...dates].sort().reverse()).toEqual(dates);
    const accounts = await api.get<{ accounts: { id: string; connection_id: string }[] }>('/accounts');
    expect(new Set(accounts.body.accounts.map((a) => a.connection_id))).toEqual(
      new Set(connections.values()),
    );
  });

  it('follows postings, corrections, re-sends and removals after time passes, and records each change', async () => {
    const before = await allTransactions(api);
    const syncedAt = new Date().toISOString();
    for (const bank of BANKS) {
      await bankAdmin(twin.url, bank, 'clock', { set: T2 });
      expect((await api.post(`/connections/${connections.get(bank)}/sync`)).status).toBe(202);
    }
    for (const id of connections.values()) expect(await waitForSync(api, id, syncedAt)).toBe('succeeded');
    const after = await allTransactions(api);
    expect(after.map(keyOf).sort()).toEqual(expectedAll(Date.parse(T2)));

    // Transactions that were pending at T1 and are still here changed status, with the change in history.
    const pendingBefore = before.filter((t) => t.status === 'pending');
    const stillThere = new Map(after.map((t) => [t.id, t]));
    const posted = pendingBefore.filter((t) => stillThere.get(t.id)?.status === 'posted');
    expect(posted.length).toBeGreaterThan(0);
    const detail = await api.get<{
      history: { kind: string; actor: string }[];
      original: { status: string };
    }>(`/transactions/${posted[0]!.id}`);
    expect(detail.body.original.status).toBe('posted');
    expect(detail.body.history.map((h) => h.kind)).toEqual(
      expect.arrayContaining(['created', 'status_changed']),
    );
    // Changes are the sync's (the Categorizer's `categorized` event, where the engine gave a category, is not).
    expect(
      detail.body.history.filter((h) => h.kind !== 'categorized').every((h) => h.actor.startsWith('sync:')),
    ).toBe(true);

    // Every visible change between T1 and T2 is in some transaction's history.
    const kinds = new Set<string>();
    for (const t of after.slice(0, 400)) {
      const d = await api.get<{ history: { kind: string }[] }>(`/transactions/${t.id}`);
      for (const h of d.body.history) kinds.add(h.kind);
    }
    expect(kinds).toContain('status_changed');
  });

  it('re-running a sync over the same data changes nothing', async () => {
    const before = await allTransactions(api);
    const at = new Date().toISOString();
    const id = connections.get('bank_a')!;
    await api.post(`/connections/${id}/sync`);
    await waitForSync(api, id, at);
    const after = await allTransactions(api);
    expect(after.map((t) => `${t.id} ${t.updated_at}`).sort()).toEqual(
      before.map((t) => `${t.id} ${t.updated_at}`).sort(),
    );
  });

  it('serves a change feed that replays from an empty cursor to exactly the current set', async () => {
    const have = new Map<string, T>();
    let cursor = '';
    for (let i = 0; i < 1000; i++) {
      const page = await api.get<{
        added: T[];
        modified: T[];
        removed: { id: string }[];
        next_cursor: string;
        has_more: boolean;
      }>(`/transactions/sync?count=97${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      for (const t of [...page.body.added, ...page.body.modified]) have.set(t.id, t);
      for (const r of page.body.removed) have.delete(r.id);
      cursor = page.body.next_cursor;
      if (!page.body.has_more) break;
    }
    const current = await allTransactions(api);
    expect([...have.keys()].sort()).toEqual(current.map((t) => t.id).sort());
    // Nothing new since: an empty page with the same cursor.
    const again = await api.get<{ added: T[]; modified: T[]; removed: unknown[]; next_cursor: string }>(
      `/transactions/sync?cursor=${cursor}`,
    );
    expect(again.body.added.length + again.body.modified.length + again.body.removed.length).toBe(0);
    expect(again.body.next_cursor).toBe(cursor);
  });

  it('filters transactions and keeps users apart', async () => {
    const all = await allTransactions(api);
    const some = all.find((t) => t.status === 'posted')!;
    const byAccount = await allTransactions(api, `&account_id=${some.account_id}`);
    expect(byAccount.every((t) => t.account_id === some.account_id)).toBe(true);
    const byDate = await allTransactions(api, `&from=${some.date}&to=${some.date}`);
    expect(byDate.every((t) => t.date === some.date)).toBe(true);
    expect(byDate.map((t) => t.id)).toContain(some.id);
    const q = some.description.split(' ')[0]!;
    const byText = await allTransactions(api, `&q=${encodeURIComponent(q)}`);
    expect(byText.every((t) => t.description.toLowerCase().includes(q.toLowerCase()))).toBe(true);
    const outflows = await allTransactions(api, '&max_amount=-0.01&status=posted');
    expect(outflows.every((t) => Number(t.amount) < 0 && t.status === 'posted')).toBe(true);
    expect((await api.get('/transactions?from=2026-13-01')).status).toBe(400);
    expect((await api.get('/transactions?limit=0')).status).toBe(400);
    expect((await api.get('/transactions?cursor=bogus')).status).toBe(400);

    const other = api.withToken(await devToken(twin.url, 'someone-else'));
    expect((await other.get<{ transactions: T[] }>('/transactions')).body.transactions).toEqual([]);
    expect((await other.get(`/transactions/${some.id}`)).status).toBe(404);
    expect((await other.get(`/accounts/${some.account_id}`)).status).toBe(404);
    expect((await other.get(`/connections/${connections.get('bank_a')}`)).status).toBe(404);
  });

  it('shows each sync\u2019s result and the records it quarantined, to the connection\u2019s owner only', async () => {
    const id = connections.get('bank_c')!;
    await bankAdmin(twin.url, 'bank_c', 'faults', { malformed: 0.3, malformed_mode: 'extra' });
    const at = new Date().toISOString();
    expect((await api.post(`/connections/${id}/sync`)).status).toBe(202);
    expect(await waitForSync(api, id, at)).toBe('succeeded');
    await bankAdmin(twin.url, 'bank_c', 'faults', {});

    type Run = {
      id: string;
      reason: string;
      status: string;
      quarantined: number;
      added: number;
      pages: number;
    };
    const runs = await api.get<{ syncs: Run[]; next_cursor: string | null }>(
      `/connections/${id}/syncs?limit=2`,
    );
    expect(runs.status).toBe(200);
    const [latest, previous] = runs.body.syncs;
    expect(latest).toMatchObject({ reason: 'manual', status: 'succeeded', added: 0 });
    expect(latest!.pages).toBeGreaterThan(0);
    expect(latest!.quarantined).toBeGreaterThan(0);
    expect(previous).toBeDefined();
    // Page to the end: the first sync, at linking, comes last; no run twice.
    const all = [...runs.body.syncs];
    for (let cursor = runs.body.next_cursor; cursor;) {
      const page = await api.get<{ syncs: Run[]; next_cursor: string | null }>(
        `/connections/${id}/syncs?limit=2&cursor=${cursor}`,
      );
      all.push(...page.body.syncs);
      cursor = page.body.next_cursor;
    }
    expect(all.at(-1)).toMatchObject({ reason: 'link', status: 'succeeded' });
    expect(new Set(all.map((r) => r.id)).size).toBe(all.length);

    const quarantined = await api.get<{ records: { kind: string; reason: string; raw: unknown }[] }>(
      `/connections/${id}/syncs/${latest!.id}/quarantined`,
    );
    expect(quarantined.body.records).toHaveLength(latest!.quarantined);
    expect(quarantined.body.records.every((r) => r.kind === 'transaction' && r.reason.length > 0)).toBe(true);

    const other = api.withToken(await devToken(twin.url, 'not-the-owner'));
    expect((await other.get(`/connections/${id}/syncs`)).status).toBe(404);
    expect((await other.get(`/connections/${id}/syncs/${latest!.id}/quarantined`)).status).toBe(404);
  });

  it('runs a full reconciliation on demand: {"full": true} lists the whole history, no body only the change', async () => {
    const id = connections.get('bank_a')!;
    type Run = {
      reason: string;
      pages: number;
      listed: number | null;
      added: number;
      modified: number;
      removed: number;
    };
    const runs = async () =>
      (await api.get<{ syncs: Run[] }>(`/connections/${id}/syncs?limit=100`)).body.syncs;
    const before = await allTransactions(api);
    const link = (await runs()).at(-1)!;
    expect(link.reason).toBe('link'); // the first sync lists everything the bank has

    // No body at all, as before the field existed: an incremental sync (bank_a: since its change token).
    let at = new Date().toISOString();
    const bare = await fetch(`${twin.url}/connections/${id}/sync`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(bare.status).toBe(202);
    expect(await waitForSync(api, id, at)).toBe('succeeded');
    const incremental = (await runs())[0]!;

    at = new Date().toISOString();
    expect((await api.post(`/connections/${id}/sync`, { full: true })).status).toBe(202);
    expect(await waitForSync(api, id, at)).toBe('succeeded');
    const full = (await runs())[0]!;
    expect(full.reason).toBe('manual');
    // The full listing pages through the whole history (at least what the first sync read; time only adds to it),
    // the incremental one only through what changed since the last sync (nothing: the bank's clock stands still).
    expect(link.listed).toBeGreaterThan(0);
    expect(full.listed).toBeGreaterThanOrEqual(link.listed!);
    expect(full.pages).toBeGreaterThanOrEqual(link.pages);
    expect(incremental.listed).toBeLessThan(link.listed!);
    // Nothing changed at the bank since: reconciling everything changes nothing.
    expect([full.added, full.modified, full.removed]).toEqual([0, 0, 0]);
    expect((await allTransactions(api)).map((t) => `${t.id} ${t.updated_at}`).sort()).toEqual(
      before.map((t) => `${t.id} ${t.updated_at}`).sort(),
    );

    // The body is validated: `full` is a boolean, and nothing else is asked for.
    for (const body of [{ full: 'yes' }, { full: true, since: '2026-01-01' }, '[1]']) {
      const res = await api.post<{ status: number }>(`/connections/${id}/sync`, body);
      expect(res.status).toBe(400);
    }
    expect((await api.post(`/connections/${id}/sync`, '{"full":')).status).toBe(400);
  });
});
