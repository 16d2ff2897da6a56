/**
 * Types of the categorization engine (pure: no I/O, no clock). See `engine.ts` for the rule order.
 */

/** What the engine looks at: a transaction's effective values (or an `/transactions/enrich` item). */
export interface CategorizeInput {
  /** The bank's raw description (`SQ *BLUE BOTTLE COFFEE 0423 SAN FRANCISCO`). */
  description: string;
  /** A merchant name the bank or the user gave, if any; the engine cleans the description otherwise. */
  merchantName: string | null;
  /** Signed minor units; negative is money out of the account. */
  amountMinor: number;
  /** ISO 4217. */
  currency: string;
  /** Our account id (user rules may match on it; own-account transfers use it). */
  accountId: string;
  /** The card network's merchant category code, where the bank sends one (`5812`): a strong signal. */
  mcc?: string | null;
}

export interface CategorizeContext {
  /** The user's own account ids: a description naming one of them is a transfer between own accounts. */
  ownAccountIds?: string[];
  /**
   * The last digits (masks) of the user's own accounts other than `input.accountId`: a transfer description
   * naming one (`ONLINE TRANSFER TO SAV XXXX1234`) is a transfer between own accounts. Optional extension.
   */
  ownAccountMasks?: string[];
  /**
   * Results below this confidence are returned as null (abstain). Default `DEFAULT_CONFIDENCE_THRESHOLD`.
   * User rules always have confidence 1 and are never cut.
   */
  minConfidence?: number;
}

export type CategorySource = 'user_rule' | 'rules';

export interface CategoryResult {
  primary: string;
  /** Null only for a user rule that sets only the primary. */
  detailed: string | null;
  source: CategorySource;
  /** 0..1: 1 for user rules; built-in rules by how reliable their signal is. */
  confidence: number;
  /** `builtin:merchant:<key>`, `builtin:keyword:<k>`, `builtin:amount:<k>`, `builtin:transfer:<k>`, or a user rule id. */
  rule_id: string | null;
  /** The cleaned merchant the engine recognised (directory name, or the cleaned description), or null. */
  merchant_name: string | null;
  /** True when the engine judged this one leg of a transfer between the user's own accounts. */
  own_transfer: boolean;
}

/** How a description reached the bank: tells a person-to-person payment from a purchase. */
export type Channel =
  | 'card'
  | 'upi'
  | 'neft'
  | 'imps'
  | 'rtgs'
  | 'ach'
  | 'faster_payment'
  | 'direct_debit'
  | 'standing_order'
  | 'atm'
  | 'wallet'
  | 'cheque'
  | 'unknown';

/** A description taken apart: the merchant part, the payment channel, and hints (UPI handles, processors). */
export interface ParsedDescription {
  /** The raw description, whitespace-collapsed. */
  raw: string;
  /** Upper-case word tokens of the whole description (for keyword rules). */
  tokens: string[];
  /** Upper-case word tokens of the part that names the counterparty, prefixes and store numbers removed. */
  merchantTokens: string[];
  /** Token lists worth a directory lookup, best first (the part after a processor's `*`, the whole, ...). */
  candidates: string[][];
  /** Display form of the counterparty part (title case), or null when nothing is left. */
  merchantDisplay: string | null;
  channel: Channel;
  /** A payment processor or aggregator recognised in a prefix (`SQ`, `PAYPAL`, `PAYTM`, `STRIPE`...). */
  processor: string | null;
  /** Handles of UPI VPAs (`swiggy` from `swiggy@ybl`) and e-mail-like ids, upper case. */
  handles: string[];
  /** Every VPA / e-mail-like id in the description, as written, lower case (`paytmqr5924@paytm`). */
  vpas: string[];
  /** For an ACH line: the company with its entry description (`GRANITE STATE INS PREMIUM`), read by category words. */
  counterpartyWords?: string[];
  /** Direction a P2P/bank-transfer description states ('DR' / 'CR', `TO` / `FROM`), if any. */
  direction: 'out' | 'in' | null;
}
