/**
 * The generator's engine: one user, day by day, in three steps.
 *
 * 1. Intents. Each day, recurring items (salary, rent, bills, subscriptions, savings, remittances), habits
 *    (coffee, groceries, rides... at Poisson rates shaped by persona, weekday, month and trips) and dynamic money
 *    management (card payments, top-ups, sweeps, interest, fees) make "intents": what happened, where, when and
 *    for how much. They are committed in time order with guards that keep the anomaly rules (rules.ts) exact:
 *    no ordinary purchase looks like an injected anomaly.
 * 2. Anomalies are injected on chosen days, from the user's own history (rules.ts says what each label means).
 * 3. Life cycles: every intent becomes a GeneratedTransaction whose events say how the bank shows it over time
 *    (pending then posted, new ids, tips, corrections, re-sends, removals).
 *
 * Randomness comes from three independent streams per user (daily life, anomalies, life cycles), so changing a rate
 * changes only what it governs. No clock, no I/O, no Math.random.
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

export function liveDay(g: UserContext, d: number): void {
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

export function finish(g: UserContext): GeneratedUser {
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
