/**
 * Life cycles: how a bank shows one transaction over time. Card payments appear pending and post 1-3 days later
 * (often under a new id; restaurant and taxi tips, fuel pre-authorizations and hotel holds change the amount);
 * descriptions, amounts and statuses get corrected; some transactions are re-sent under a new id (duplicate seeds for
 * dedup); a few are removed (authorizations that never settle, reversals). Every version keeps the instant the
 * transaction happened (`at`) and its local `date`; events carry when the bank changed.
 *
 * Rates (each multiplied by its option; 0 disables): description corrections 2%, card postings by status correction
 * 3%, amount corrections 0.6%, re-sends 1.5% (15% of those twice), removals 0.6% of removable card authorizations and
 * 0.2% of removable postings (only ordinary repeat purchases are removable: never anomalies, transfers, refunds,
 * first visits or recurring bills).
 */
import { mccForCategory } from '../domain/categorizer/mcc';
import { categoryOf } from '../domain/taxonomy';
import * as D from './describe';
import type { Intent, NormalizedOptions } from './intent';
import { hashInts, hexPad, type Rng } from './prng';
import { SLOTS } from './regions';
import { formatIsoDate, rfc3339, zonedToUtc } from './time';
import type {
  BankId,
  BankRecordVersion,
  GeneratedAccount,
  GeneratedTransaction,
  GroundTruth,
  LifecycleEvent,
} from './types';

const HOUR = 3600;

export interface LifecycleContext {
  options: NormalizedOptions;
  /** The user's life-cycle stream (independent of daily life and anomalies). */
  rng: Rng;
  seedHash: number;
  index: number;
  accounts: readonly GeneratedAccount[];
  /** `YYYY-MM-DD` per day index. */
  dates: readonly string[];
}

/** Bank ids: unique per user, transaction and version (fixed-width fields), each bank in its own format. */
export function bankTxnId(
  bank: BankId,
  seedHash: number,
  index: number,
  seq: number,
  version: number,
): string {
  const h = hashInts(seedHash, index, seq, version);
  if (bank === 'bank_a') {
    return `${hexPad(h, 6).toUpperCase()}${index.toString(36).toUpperCase().padStart(4, '0')}${seq.toString(36).toUpperCase().padStart(5, '0')}${version.toString(36).toUpperCase()}`;
  }
  if (bank === 'bank_b') {
    return `${String(h % 1_000_000).padStart(6, '0')}${String(index).padStart(7, '0')}${String(seq).padStart(7, '0')}${version}`;
  }
  const h2 = hashInts(h, 9);
  return `${hexPad(h, 8)}-${hexPad(index & 0xffff, 4)}-4${hexPad((index >>> 16) & 0xfff, 3)}-8${hexPad(version, 3)}-${hexPad(seq, 8)}${hexPad(h2, 4)}`;
}

/** The life cycle of one intent at its bank, and its ground truth. */
export function buildTransaction(it: Intent, seq: number, ctx: LifecycleContext): GeneratedTransaction {
  const r = ctx.rng;
  const o = ctx.options;
  const info = SLOTS[it.slot] as (typeof SLOTS)[number];
  const account = ctx.accounts[it.slot] as GeneratedAccount;
  const tz = account.timeZone;
  const bank = info.bank;
  const at = rfc3339(it.ms);
  const date = ctx.dates[it.day] ?? formatIsoDate(o.startDays + it.day);
  const corrections: GroundTruth['corrections'] = [];
  const events: LifecycleEvent[] = [];
  let version = 0;
  let t = it.ms + r.int(5, 240) * 1000;

  const descFix = r.chance(0.02 * o.correctionRate) && it.description.length > 6;
  const shown = descFix ? D.degrade(it.description, r) : it.description;
  const shownPending = descFix ? D.degrade(it.pendingDescription, r) : it.pendingDescription;
  let amount = it.amount;
  let current: BankRecordVersion;
  let removed = false;
  const removable =
    !it.protect && it.anomaly === null && it.pair === null && it.purchase && !it.first && !it.recurring;

  if (it.card) {
    let pendingAmount = amount;
    if (it.hold === 'tip') {
      const pct = r.int(15, 22);
      pendingAmount = -Math.round((-amount * 100) / (100 + pct));
    } else if (it.hold === 'fuel') {
      pendingAmount = r.chance(0.3) ? -100 : ctx.accounts[it.slot]?.currency === 'GBP' ? -9900 : -12_500;
    } else if (it.hold === 'hold') {
      pendingAmount = -Math.ceil((-amount * r.range(1.1, 1.3)) / 100) * 100;
    }
    const pendingId = bankTxnId(bank, ctx.seedHash, ctx.index, seq, version++);
    const pending = versionOf(pendingId, 'pending', pendingAmount, shownPending, date, at);
    events.push({ kind: 'appear', at: rfc3339(t), version: pending });
    current = pending;
    if (removable && r.chance(0.006 * o.correctionRate)) {
      // An authorization that never settles: it drops off.
      t += r.int(86_400, 4 * 86_400) * 1000;
      events.push({ kind: 'remove', at: rfc3339(t) });
      removed = true;
    } else {
      const postDay = it.day + r.int(1, 3);
      const postMs = zonedToUtc(tz, o.startDays + postDay, r.int(HOUR, 7 * HOUR));
      t = Math.max(postMs, t + 60_000);
      const postAt = rfc3339(t);
      if (pendingAmount === amount && r.chance(0.03 * o.correctionRate)) {
        // Posted in place by a status correction rather than a posting.
        current = versionOf(pendingId, 'posted', amount, shown, date, at);
        events.push({ kind: 'correct', at: postAt, field: 'status', version: current });
        corrections.push({ field: 'status', at: postAt });
      } else {
        const newId = r.chance(bank === 'bank_a' ? 0.6 : bank === 'bank_b' ? 0.3 : 0.85);
        current = versionOf(
          newId ? bankTxnId(bank, ctx.seedHash, ctx.index, seq, version++) : pendingId,
          'posted',
          amount,
          shown,
          date,
          at,
        );
        events.push({ kind: 'post', at: postAt, version: current, replacesBankTxnId: pendingId });
      }
    }
  } else {
    current = versionOf(
      bankTxnId(bank, ctx.seedHash, ctx.index, seq, version++),
      'posted',
      amount,
      shown,
      date,
      at,
    );
    events.push({ kind: 'appear', at: rfc3339(t), version: current });
  }

  if (!removed) {
    if (descFix) {
      t += r.int(HOUR, 3 * 86_400) * 1000;
      const when = rfc3339(t);
      current = { ...current, description: it.description };
      events.push({ kind: 'correct', at: when, field: 'description', version: current });
      corrections.push({ field: 'description', at: when });
    }
    if (
      !it.protect &&
      it.anomaly === null &&
      it.pair === null &&
      it.dupOf === null &&
      r.chance(0.006 * o.correctionRate)
    ) {
      const unit = account.currency === 'INR' ? 100 : 1;
      const abs = Math.abs(amount);
      const delta = Math.max(unit, Math.round((abs * r.range(0.01, 0.05)) / unit) * unit);
      amount =
        r.chance(0.5) || abs <= delta
          ? amount + Math.sign(amount) * delta
          : amount - Math.sign(amount) * delta;
      t += r.int(HOUR, 5 * 86_400) * 1000;
      const when = rfc3339(t);
      current = { ...current, amountMinor: amount };
      events.push({ kind: 'correct', at: when, field: 'amount', version: current });
      corrections.push({ field: 'amount', at: when });
    }
  }
  const resentAs: string[] = [];
  if (!removed && r.chance(0.015 * o.duplicateRate)) {
    const copies = r.chance(0.15) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      t += r.int(3 * HOUR, 2 * 86_400) * 1000;
      const when = rfc3339(t);
      const copy = { ...current, bankTxnId: bankTxnId(bank, ctx.seedHash, ctx.index, seq, version++) };
      events.push({ kind: 'resend', at: when, version: copy });
      resentAs.push(copy.bankTxnId);
    }
  }
  if (!removed && removable && r.chance(0.002 * o.correctionRate)) {
    t += r.int(86_400, 7 * 86_400) * 1000;
    events.push({ kind: 'remove', at: rfc3339(t) });
    removed = true;
  }

  const truth: GroundTruth = {
    category: categoryOf(it.detailed),
    merchant: it.merchantName,
    is_anomaly: it.anomaly !== null,
    resent_as: resentAs,
    corrections,
    removed,
    pattern: it.pattern,
  };
  if (it.anomaly !== null) truth.anomaly_kind = it.anomaly;
  if (it.dupOf) truth.duplicate_charge_of = it.dupOf.id;
  if (it.pair) truth.transfer_pair_of = it.pair.id;
  return {
    id: it.id,
    accountId: account.id,
    bank,
    currency: account.currency,
    events,
    truth,
    ...mccOf(it),
  };
}

/** A card purchase at a merchant (chain or local) carries the merchant category code its category implies. */
function mccOf(it: Intent): { mcc?: string } {
  const mcc = it.card && it.merchant ? mccForCategory(it.merchant.detailed) : null;
  return mcc ? { mcc } : {};
}

function versionOf(
  bankTxnId: string,
  status: 'pending' | 'posted',
  amountMinor: number,
  description: string,
  date: string,
  at: string,
): BankRecordVersion {
  return { bankTxnId, status, date, at, amountMinor, description };
}
