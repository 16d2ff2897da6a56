import type {
  BankRecordVersion,
  GeneratedAccount,
  GeneratedTransaction,
  GeneratedUser,
} from '../../generator/types';

/**
 * Replays the generated life cycles "as of" a bank's clock: what the bank shows at that instant, without any of
 * the generator's ground-truth labels. Pure and deterministic: the same user and instant give the same list.
 */
export interface VisibleTransaction {
  /** The bank's id of this record (posting may have given it a new one). */
  bankTxnId: string;
  accountId: string;
  currency: string;
  status: 'pending' | 'posted';
  /** Local date (account time zone), YYYY-MM-DD. */
  date: string;
  /** When the bank says it happened / posted (RFC 3339). */
  at: string;
  amountMinor: number;
  description: string;
  /** When the first version of this record happened (the authorization, for a card payment). */
  firstAt: string;
  /** When the bank posted it (the instant of the event that made it posted), null while pending. */
  postedAt: string | null;
  /** A posted record that replaced a pending one under a different id: the pending record's id. */
  pendingBankTxnId: string | null;
  /** A re-send of another record under a new id (a duplicate the platform has to catch). */
  resent: boolean;
  /** When this record last changed at the bank (appeared, posted, was corrected): what change feeds filter on. */
  changedAt: string;
  /** The generator's id. Internal to the bank (tests, ordering ties); never served. */
  sourceId: string;
  /** The card merchant category code, where the generator gave one (a bank may serve it). */
  mcc: string | null;
}

interface Slot {
  version: BankRecordVersion;
  pendingBankTxnId: string | null;
  resent: boolean;
  firstAt: string;
  postedAt: string | null;
  changedAt: string;
}

/** A bank id that was visible and is not any more (removed, or replaced by a posting under a new id), and when. */
export interface GoneTransaction {
  bankTxnId: string;
  accountId: string;
  goneAt: string;
}

const postedAt = (version: BankRecordVersion, eventAt: string, before: string | null = null) =>
  version.status === 'posted' ? (before ?? eventAt) : null;

function replayOne(txn: GeneratedTransaction, asOfMs: number, gone?: GoneTransaction[]): Slot[] {
  let slots: Slot[] = [];
  const vanish = (bankTxnId: string, at: string) =>
    gone?.push({ bankTxnId, accountId: txn.accountId, goneAt: at });
  for (const event of txn.events) {
    if (Date.parse(event.at) > asOfMs) continue;
    switch (event.kind) {
      case 'appear':
        slots = [
          {
            version: event.version,
            pendingBankTxnId: null,
            resent: false,
            firstAt: event.version.at,
            postedAt: postedAt(event.version, event.at),
            changedAt: event.at,
          },
        ];
        break;
      case 'post': {
        // Replaces the version it names (a version that is not visible any more is left alone).
        const i = slots.findIndex((s) => s.version.bankTxnId === event.replacesBankTxnId);
        if (i < 0) break;
        const old = slots[i]!;
        const newId = event.version.bankTxnId !== event.replacesBankTxnId;
        slots[i] = {
          version: event.version,
          pendingBankTxnId: newId ? event.replacesBankTxnId : old.pendingBankTxnId,
          resent: old.resent,
          firstAt: old.firstAt,
          postedAt: postedAt(event.version, event.at, old.postedAt),
          changedAt: event.at,
        };
        if (newId) vanish(event.replacesBankTxnId, event.at);
        break;
      }
      case 'correct': {
        const i = slots.findIndex((s) => s.version.bankTxnId === event.version.bankTxnId);
        if (i < 0) break;
        const old = slots[i]!;
        slots[i] = {
          ...old,
          version: event.version,
          postedAt: postedAt(event.version, event.at, old.postedAt),
          changedAt: event.at,
        };
        break;
      }
      case 'resend':
        if (slots.length === 0) break;
        slots.push({
          version: event.version,
          pendingBankTxnId: null,
          resent: true,
          firstAt: event.version.at,
          postedAt: postedAt(event.version, event.at),
          changedAt: event.at,
        });
        break;
      case 'remove':
        for (const s of slots) vanish(s.version.bankTxnId, event.at);
        slots = [];
        break;
    }
  }
  return slots;
}

/** Sort order every bank starts from: by time, then id. */
export function compareVisible(
  a: Pick<VisibleTransaction, 'at' | 'bankTxnId'>,
  b: Pick<VisibleTransaction, 'at' | 'bankTxnId'>,
): number {
  if (a.at !== b.at) return Date.parse(a.at) - Date.parse(b.at) || (a.at < b.at ? -1 : 1);
  return a.bankTxnId < b.bankTxnId ? -1 : a.bankTxnId > b.bankTxnId ? 1 : 0;
}

/** What a bank shows at an instant: its visible records, and the ids that were visible once and are gone. */
export interface BankListing {
  visible: VisibleTransaction[];
  /** Oldest first by `goneAt`. */
  gone: GoneTransaction[];
}

/** The last answer per user and bank: a sync pages through one unchanging list, page after page. */
const lastListing = new WeakMap<GeneratedUser, Map<string, { key: string; listing: BankListing }>>();

/**
 * Every record of `bank` the user can see at `asOf`, oldest first. Remembers the last answer per user and bank (a
 * sync asks once per page, on a frozen or barely moving clock); the list must not be mutated by callers.
 */
export function visibleTransactions(user: GeneratedUser, bank: string, asOf: Date): VisibleTransaction[] {
  return bankListing(user, bank, asOf).visible;
}

/** visibleTransactions with the ids that disappeared before `asOf` (what a change feed reports as removed). */
export function bankListing(user: GeneratedUser, bank: string, asOf: Date): BankListing {
  // Users are plain data; a test may append transactions to one, so the key includes the count.
  const key = `${asOf.getTime()}|${user.transactions.length}|${user.accounts.length}`;
  let perBank = lastListing.get(user);
  const hit = perBank?.get(bank);
  if (hit?.key === key) return hit.listing;
  const listing = replayVisible(user, bank, asOf);
  if (!perBank) lastListing.set(user, (perBank = new Map()));
  perBank.set(bank, { key, listing });
  return listing;
}

function replayVisible(user: GeneratedUser, bank: string, asOf: Date): BankListing {
  const asOfMs = asOf.getTime();
  const gone: GoneTransaction[] = [];
  const accounts = new Set(user.accounts.filter((a) => a.bank === bank).map((a) => a.id));
  const out: { t: VisibleTransaction; ms: number }[] = [];
  for (const txn of user.transactions) {
    if (txn.bank !== bank || !accounts.has(txn.accountId)) continue;
    for (const slot of replayOne(txn, asOfMs, gone)) {
      const t: VisibleTransaction = {
        bankTxnId: slot.version.bankTxnId,
        accountId: txn.accountId,
        currency: txn.currency,
        status: slot.version.status,
        date: slot.version.date,
        at: slot.version.at,
        amountMinor: slot.version.amountMinor,
        description: slot.version.description,
        firstAt: slot.firstAt,
        postedAt: slot.postedAt,
        pendingBankTxnId: slot.pendingBankTxnId,
        resent: slot.resent,
        changedAt: slot.changedAt,
        sourceId: txn.id,
        mcc: txn.mcc ?? null,
      };
      out.push({ t, ms: Date.parse(t.at) });
    }
  }
  // compareVisible's order, with each instant parsed once.
  out.sort((a, b) => a.ms - b.ms || compareVisible(a.t, b.t));
  gone.sort((a, b) => Date.parse(a.goneAt) - Date.parse(b.goneAt) || (a.bankTxnId < b.bankTxnId ? -1 : 1));
  return { visible: out.map((o) => o.t), gone };
}

export interface AccountView {
  account: GeneratedAccount;
  /** Opening balance plus every posted transaction (re-sends excluded: the money moved once). */
  currentMinor: number;
  /**
   * Depository: current minus pending debits. Credit: the limit plus current plus pending (what can still be
   * spent). Other types: current.
   */
  availableMinor: number;
  limitMinor: number | null;
}

export function accountViews(
  user: GeneratedUser,
  bank: string,
  visible: VisibleTransaction[],
): AccountView[] {
  const ledger = new Map<string, number>();
  const pendingOut = new Map<string, number>();
  const pendingAll = new Map<string, number>();
  for (const t of visible) {
    if (t.resent) continue;
    if (t.status === 'posted') ledger.set(t.accountId, (ledger.get(t.accountId) ?? 0) + t.amountMinor);
    else {
      pendingAll.set(t.accountId, (pendingAll.get(t.accountId) ?? 0) + t.amountMinor);
      if (t.amountMinor < 0) pendingOut.set(t.accountId, (pendingOut.get(t.accountId) ?? 0) + t.amountMinor);
    }
  }
  return user.accounts
    .filter((a) => a.bank === bank)
    .map((account) => {
      const current = account.openingBalanceMinor + (ledger.get(account.id) ?? 0);
      const limit = account.creditLimitMinor ?? null;
      let available = current;
      if (account.type === 'depository') available = current + (pendingOut.get(account.id) ?? 0);
      else if (account.type === 'credit')
        available = (limit ?? 0) + current + (pendingAll.get(account.id) ?? 0);
      return { account, currentMinor: current, availableMinor: available, limitMinor: limit };
    });
}
