import { devToken, startTwinProcess, type TwinStorageMode } from '../support/twin-process';
import { latencyFigures, round, sideBySide } from './stats';
import { insertAll, MODES, startModeTwin, yearOfSpending } from './twins';
import type { Benchmark, Figure } from './types';

/**
 * HTTP latency of the local twin (a child process, as `npm start` runs it), measured from this process with fetch.
 *
 * twin-latency: `/health` and `/me` at 50 concurrent clients (DynamoDB storage).
 *
 * transactions-latency (issue 12): `GET /transactions` pages of 100 over 10,000 transactions of one user, at 1
 * client and 50 concurrent clients, in each storage mode in turn, with `/health` on the same twin as the
 * reference: p50, p99 and throughput. The requests go round the first PAGES pages of the listing (page 1, then
 * each `next_cursor`). The transactions are written through the store adapter before the measures (PGlite: into
 * its database before the twin starts), and the measures wait until the twin's processors are done with them.
 */

const CLIENTS = 50;
const USER = 'bench-list';
const TRANSACTIONS = 10_000;
const PAGE = 100;
const PAGES = 20;

interface Load {
  latencies: number[];
  /** Requests answered per second over the whole run. */
  throughput: number;
}

/**
 * `clients` concurrent clients, each sending `perClient` requests back to back, going round `urls` (each client
 * from its own offset); after `warmup` sequential requests (modules load, connections open).
 */
async function load(
  urls: readonly string[],
  headers: Record<string, string>,
  clients: number,
  perClient: number,
  warmup = 20,
): Promise<Load> {
  const get = async (url: string) => {
    const res = await fetch(url, { headers });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  };
  for (let i = 0; i < warmup; i++) await get(urls[i % urls.length]!);
  const latencies: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = 0; i < perClient; i++) {
        const s = performance.now();
        await get(urls[(c + i) % urls.length]!);
        latencies.push(performance.now() - s);
      }
    }),
  );
  return { latencies, throughput: (latencies.length * 1000) / (performance.now() - t0) };
}

function loadFigures(label: string, l: Load): Figure[] {
  return [
    ...latencyFigures(label, l.latencies, ['p50', 'p99']),
    { name: `${label} throughput`, value: round(l.throughput), unit: 'req/s' },
  ];
}

/** The first `PAGES` pages of the user's listing, following `next_cursor`: each full and none repeating an id. */
async function walkPages(base: string, headers: Record<string, string>): Promise<string[]> {
  const urls: string[] = [];
  const seen = new Set<string>();
  let url = `${base}/transactions?limit=${PAGE}`;
  for (let p = 0; p < PAGES; p++) {
    urls.push(url);
    const res = await fetch(url, { headers });
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
    const body = (await res.json()) as { transactions: { id: string }[]; next_cursor: string | null };
    if (body.transactions.length !== PAGE)
      throw new Error(`page ${p + 1} holds ${body.transactions.length} transactions, not ${PAGE}`);
    for (const t of body.transactions) {
      if (seen.has(t.id)) throw new Error(`page ${p + 1} repeats ${t.id}`);
      seen.add(t.id);
    }
    if (!body.next_cursor) throw new Error(`page ${p + 1} has no next_cursor`);
    url = `${base}/transactions?limit=${PAGE}&cursor=${encodeURIComponent(body.next_cursor)}`;
  }
  return urls;
}

async function listLatency(mode: TwinStorageMode): Promise<Figure[]> {
  const say = (m: string) => process.stderr.write(`[transactions-latency] ${mode}: ${m}\n`);
  const { txns } = yearOfSpending(USER, TRANSACTIONS);
  let seedMs = 0;
  const mt = await startModeTwin(mode, {
    seed: async (store) => {
      const t0 = performance.now();
      await insertAll(store, txns);
      seedMs = performance.now() - t0;
    },
  });
  try {
    say(`${TRANSACTIONS} transactions written in ${Math.round(seedMs)} ms; waiting for the processors`);
    const t0 = performance.now();
    await mt.idle();
    say(`twin idle after ${Math.round(performance.now() - t0)} ms; measuring`);
    const base = mt.twin.url;
    const auth = { authorization: `Bearer ${await devToken(base, USER)}` };
    const pages = await walkPages(base, auth);
    const label = (what: string, clients: number) =>
      `[${mode}] ${what} @${clients} client${clients > 1 ? 's' : ''}`;
    const list = `GET /transactions?limit=${PAGE} (${PAGES} cursor pages)`;
    return [
      ...loadFigures(label('GET /health', 1), await load([`${base}/health`], {}, 1, 200)),
      ...loadFigures(label('GET /health', CLIENTS), await load([`${base}/health`], {}, CLIENTS, 20)),
      ...loadFigures(label(list, 1), await load(pages, auth, 1, 200)),
      ...loadFigures(label(list, CLIENTS), await load(pages, auth, CLIENTS, 10)),
    ];
  } finally {
    await mt.stop();
  }
}

export const benchmarks: Benchmark[] = [
  {
    name: 'twin-latency',
    async run(): Promise<Figure[]> {
      const twin = await startTwinProcess({ storage: 'dynamodb', env: { LOG_LEVEL: 'ERROR' } });
      try {
        const token = await devToken(twin.url, 'bench-user');
        const figures: Figure[] = [];
        for (const [label, path, headers] of [
          ['GET /health', '/health', {}],
          ['GET /me (authenticated)', '/me', { authorization: `Bearer ${token}` }],
        ] as const) {
          const l = await load([`${twin.url}${path}`], headers, CLIENTS, 40);
          figures.push(
            ...latencyFigures(`twin ${label} @${CLIENTS} clients`, l.latencies, ['p50', 'p99'], 2),
          );
        }
        return figures;
      } finally {
        await twin.stop();
      }
    },
  },
  {
    name: 'transactions-latency',
    async run(): Promise<Figure[]> {
      const perMode: Figure[][] = [];
      for (const mode of MODES) perMode.push(await listLatency(mode));
      return sideBySide(perMode);
    },
  },
];
