import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client';
import { DynamoStore } from '../../shared/adapters/dynamodb/store';
import { sql } from 'drizzle-orm';
import { connectPglite, connectPostgres, rows, type PgConnection } from '../../shared/adapters/postgres/db';
import { migrate } from '../../shared/adapters/postgres/migrate';
import { PostgresStore } from '../../shared/adapters/postgres/store';
import type { StoredTransaction } from '../../shared/domain/models';
import type { Store } from '../../shared/ports/store';
import { insert, txn } from '../support/insights';
import { startTwinProcess, type TwinProcess, type TwinStorageMode } from '../support/twin-process';
import { sleep } from './stats';

/**
 * The local twin in each storage mode, as `npm start -- --storage <mode>` runs it (a child process), with a writer
 * into its storage from the benchmark's process: the twin's DynamoDB Local table, or its PostgreSQL database (a
 * fresh one per twin, dropped at stop), through the same store adapters the twin uses.
 *
 * PGlite is embedded in the twin's process, and one PGlite database is open in one process at a time: nothing
 * outside can write into it while the twin runs. Its `seed` runs BEFORE the twin starts, into a PGlite data folder
 * the twin then opens (`--persist --data-dir`); while it runs, `store` is null and writes go through its HTTP API.
 *
 * `BENCH_STORAGE=postgres,pglite` runs the benchmarks that use MODES on those modes only (default: all three).
 */
export const MODES: readonly TwinStorageMode[] = (process.env.BENCH_STORAGE?.split(',') as
  TwinStorageMode[] | undefined) ?? ['dynamodb', 'postgres', 'pglite'];

export interface ModeTwin {
  mode: TwinStorageMode;
  twin: TwinProcess;
  /** A writer into the running twin's storage, or null (pglite: see above). */
  store: Store | null;
  /** Resolves when the twin's process tree has been (nearly) idle for a while: its processors are done. */
  idle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startModeTwin(
  mode: TwinStorageMode,
  opts: { env?: Record<string, string>; seed?: (store: Store) => Promise<void> } = {},
): Promise<ModeTwin> {
  const env = { LOG_LEVEL: 'ERROR', ...opts.env };
  if (mode === 'pglite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'finagg-bench-pglite-'));
    try {
      if (opts.seed) {
        const conn = await connectPglite(path.join(dir, 'pglite'));
        try {
          await migrate(conn);
          await opts.seed(new PostgresStore(conn));
        } finally {
          await conn.close();
        }
      }
      const twin = await startTwinProcess({ storage: mode, env, args: ['--persist', '--data-dir', dir] });
      return modeTwin(mode, twin, null, async () => rmSync(dir, { recursive: true, force: true }));
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  const twin = await startTwinProcess({ storage: mode, env });
  let store: Store;
  let close: () => Promise<void>;
  let drained: (() => Promise<boolean>) | undefined;
  if (mode === 'postgres') {
    const conn: PgConnection = await connectPostgres(twin.databaseUrl!, { max: 4 });
    store = new PostgresStore(conn);
    close = () => conn.close();
    // The relay's work is mostly the server's (not the twin's CPU): idle also means the outbox is relayed.
    drained = async () =>
      (
        await rows<{ n: number }>(
          conn.db,
          sql`SELECT count(*)::int AS n FROM outbox WHERE relayed_at IS NULL AND dead_at IS NULL`,
        )
      )[0]!.n === 0;
  } else {
    const m = /DynamoDB at (\S+), table ([^,;)]+)/.exec(twin.output());
    if (!m) {
      await twin.stop();
      throw new Error(`no DynamoDB endpoint in the twin output:\n${twin.output()}`);
    }
    const doc = createDocumentClient({
      endpoint: m[1],
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    store = new DynamoStore(doc, m[2]!);
    close = async () => doc.destroy();
  }
  try {
    await opts.seed?.(store);
  } catch (err) {
    await close();
    await twin.stop();
    throw err;
  }
  return modeTwin(mode, twin, store, close, drained);
}

function modeTwin(
  mode: TwinStorageMode,
  twin: TwinProcess,
  store: Store | null,
  cleanup: () => Promise<void>,
  drained?: () => Promise<boolean>,
): ModeTwin {
  return {
    mode,
    twin,
    store,
    async idle(timeoutMs = 600_000) {
      const until = Date.now() + timeoutMs;
      while (drained && !(await drained()) && Date.now() < until) await sleep(500);
      await waitIdle(twin.child.pid!, Math.max(0, until - Date.now()));
    },
    async stop() {
      try {
        await cleanup();
      } finally {
        await twin.stop();
      }
    },
  };
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU time (clock ticks) of a process and its descendants, from /proc; 0 where there is no /proc. */
function cpuTicks(pid: number): number {
  let ticks = 0;
  try {
    // The fields after the command (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    for (const child of children ? children.split(' ') : []) ticks += cpuTicks(Number(child));
  } catch {
    // gone, or no /proc
  }
  return ticks;
}

/**
 * Waits until the process tree used less than `busyShare` of one core over each of `quietWindows` windows of 1 s
 * in a row (the stream poller or outbox relay idling costs a little), or `timeoutMs`.
 */
async function waitIdle(pid: number, timeoutMs: number, busyShare = 0.1, quietWindows = 2): Promise<void> {
  const until = Date.now() + timeoutMs;
  let quiet = 0;
  let before = cpuTicks(pid);
  while (Date.now() < until) {
    await sleep(1000);
    const now = cpuTicks(pid);
    quiet = now - before < busyShare * TICKS_PER_SECOND ? quiet + 1 : 0;
    before = now;
    if (quiet >= quietWindows) return;
  }
  process.stderr.write(
    `[bench] the twin (pid ${pid}) is still busy after ${timeoutMs} ms; measuring anyway\n`,
  );
}

/**
 * `n` categorized transactions of one user over the year from 2025-12-01 (a day each in turn, three accounts, 150
 * merchants, one in 40 a wage), and how many of them are spending.
 */
export function yearOfSpending(user: string, n: number): { txns: StoredTransaction[]; spendCount: number } {
  const categories: [string, string][] = [
    ['FOOD_AND_DRINK', 'FOOD_AND_DRINK_GROCERIES'],
    ['FOOD_AND_DRINK', 'FOOD_AND_DRINK_RESTAURANT'],
    ['GENERAL_MERCHANDISE', 'GENERAL_MERCHANDISE_ONLINE_MARKETPLACES'],
    ['TRANSPORTATION', 'TRANSPORTATION_GAS'],
    ['ENTERTAINMENT', 'ENTERTAINMENT_TV_AND_MOVIES'],
    ['RENT_AND_UTILITIES', 'RENT_AND_UTILITIES_GAS_AND_ELECTRICITY'],
    ['PERSONAL_CARE', 'PERSONAL_CARE_GYMS_AND_FITNESS_CENTERS'],
  ];
  const start = Date.UTC(2025, 11, 1);
  const txns: StoredTransaction[] = [];
  let spendCount = 0;
  for (let i = 0; i < n; i++) {
    const date = new Date(start + (i % 365) * 86_400_000).toISOString().slice(0, 10);
    const income = i % 40 === 0;
    const [primary, detailed] = income ? ['INCOME', 'INCOME_WAGES'] : categories[i % categories.length]!;
    if (!income) spendCount += 1;
    txns.push(
      txn(user, {
        date,
        amountMinor: income ? 250_000 : -(300 + ((i * 7919) % 20_000)),
        merchantName: `Merchant ${i % 150}`,
        accountId: `acc_${i % 3}`,
        category: { primary, detailed, source: 'rules', confidence: 0.9, ruleId: 'builtin:bench' },
      }),
    );
  }
  return { txns, spendCount };
}

/** Writes the transactions as the sync does (with their events), 1,000 per call. */
export async function insertAll(store: Store, txns: readonly StoredTransaction[]): Promise<void> {
  for (let i = 0; i < txns.length; i += 1000) await insert(store, txns.slice(i, i + 1000));
}
