/**
 * The merchant directory's data format: per Plaid detailed category, a list of merchants. Each merchant is one
 * string: `Display Name|ALIAS|ALIAS...` where aliases are other ways banks write it (abbreviations, legal names,
 * web domains). Markers in front of the display name:
 * - `!` ambiguous: a common word or very short name (`Target`, `Shell`, `Next`, `EE`); it is only recognised at
 *   the start of the merchant part of a description, never anywhere inside it;
 * - `~` weak: the merchant sells across categories or its flow may be a transfer (wallets, PayPal, Venmo): its
 *   result has a lower confidence.
 * Names are compared by their tokens without spaces, so `Blue Bottle`, `BLUEBOTTLE` and `Blue-Bottle` are one key.
 */
export type DirectorySection = Readonly<Record<string, readonly string[]>>;

export interface DirectorySource {
  /** Where the merchants trade: for reporting only. */
  region: 'US' | 'GB' | 'IN' | 'GLOBAL';
  sections: DirectorySection;
}
