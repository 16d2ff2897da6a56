/**
 * The generator's engine: one user, day by day, in three steps. This module is the driver (buildUser): the steps
 * are in their own modules, and all of them read and write one UserContext (context.ts), passed explicitly.
 *
 * 1. Intents. Before the first day, plans: trips (trips.ts), anomaly days (anomalies.ts) and recurring items
 *    (recurring.ts: income.ts, bills and subscriptions, money-management.ts). Each day, the due recurring items,
 *    habits (habits.ts: coffee, groceries, rides... at Poisson rates shaped by persona, weekday, month and trips,
 *    at merchants from merchant-pools.ts for amounts from amounts.ts) and, at the day's end, money management
 *    (top-ups, sweeps, overdraft fees) make "intents" (purchases.ts, payments.ts, transfers.ts): what happened,
 *    where, when and for how much. They are committed in time order (ledger.ts) with guards that keep the anomaly
 *    rules (rules.ts) exact: no ordinary purchase looks like an injected anomaly.
 * 2. Anomalies are injected on chosen days, from the user's own history (anomalies.ts; rules.ts says what each
 *    label means).
 * 3. Life cycles: every intent becomes a GeneratedTransaction whose events say how the bank shows it over time
 *    (bank-lifecycle.ts: pending then posted, new ids, tips, corrections, re-sends, removals).
 *
 * Randomness comes from three independent streams per user (daily life, anomalies, life cycles), so changing a rate
 * changes only what it governs. The output is pinned by test/unit/generator/checksum.test.ts: a change that moves
 * a draw (another order of steps, one more or one fewer draw) changes the bytes. No clock, no I/O, no Math.random.
 */
import { injectAnomaly, injectSpike, planAnomalies } from './anomalies';
import { buildTransaction, type LifecycleContext } from './bank-lifecycle';
import { createContext, type UserContext } from './context';
import { atmWithdrawal, dailyHabits } from './habits';
import type { Intent, NormalizedOptions } from './intent';
import { commit, spikeGuard } from './ledger';
import { treasury } from './money-management';
import { hexPad } from './prng';
import { planRecurring } from './recurring';
import { planTrips } from './trips';
import type { GeneratedTransaction, GeneratedUser } from './types';

/** User `index` of the universe `o`. */
export function buildUser(o: NormalizedOptions, index: number): GeneratedUser {
  const g = createContext(o, index);
  planTrips(g);
  planAnomalies(g);
  planRecurring(g);
  for (let d = 0; d < o.days; d++) liveDay(g, d);
  return finish(g);
}

/** One day: the agenda, habits and cash, a spike if planned, the guards, commits, anomalies, then the day's end. */
function liveDay(g: UserContext, d: number): void {
  g.buffer = [];
  const due = g.agenda.get(d);
  if (due) for (const fn of due) fn();
  const fut = g.future.get(d);
  if (fut) g.buffer.push(...fut);
  dailyHabits(g, d);
  atmWithdrawal(g, d);
  const spikeSlot = g.spikeDays.get(d);
  let spiked = false;
  if (spikeSlot !== undefined) spiked = injectSpike(g, d, spikeSlot);
  const buffer = g.buffer;
  buffer.sort((a, b) => a.ms - b.ms || a.n - b.n);
  spikeGuard(g, d, buffer, spiked ? spikeSlot : undefined);
  for (const it of buffer) commit(g, it, d);
  g.buffer = [];
  const kinds = g.anomalyDays.get(d);
  if (kinds) for (const k of kinds) injectAnomaly(g, d, k);
  treasury(g, d);
}

/** Ids in time order, then every intent becomes a transaction with its life cycle (bank-lifecycle.ts). */
function finish(g: UserContext): GeneratedUser {
  const intents = g.intents.sort((a, b) => a.ms - b.ms || a.n - b.n);
  const seedTag = hexPad(g.seedHash, 6);
  for (let i = 0; i < intents.length; i++)
    (intents[i] as Intent).id = `txn_${seedTag}_${g.index}_${String(i).padStart(6, '0')}`;
  const transactions: GeneratedTransaction[] = [];
  const ctx: LifecycleContext = {
    options: g.o,
    rng: g.lrng,
    seedHash: g.seedHash,
    index: g.index,
    accounts: g.accounts,
    dates: g.dates,
  };
  for (let i = 0; i < intents.length; i++) transactions.push(buildTransaction(intents[i] as Intent, i, ctx));
  return {
    key: `u${g.index}`,
    index: g.index,
    persona: g.persona,
    name: g.name,
    accounts: g.accounts,
    transactions,
  };
}
