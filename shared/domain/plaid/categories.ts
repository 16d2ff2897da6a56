/**
 * Plaid's legacy category hierarchy (`/categories/get`, and `category` / `category_id` on a transaction), built from
 * finagg's own taxonomy (taxonomy.json: Plaid's personal-finance categories). Each primary is a top-level category,
 * each detailed category a child of it: `["Food and Drink", "Coffee"]`.
 *
 * Ids are 8 digits as Plaid's are: `PP000000` for the primary at position P (10 + its index in the data file) and
 * `PPDDD000` for its detailed category at position D (1-based). They are stable while the taxonomy file only grows
 * at the end of each list (its order is part of the contract, pinned by a unit test). Pure.
 */
import { listPrimaries, lookupDetailed } from '../taxonomy';

export interface PlaidCategory {
  category_id: string;
  /** Plaid's groups: `place` (a merchant), `special` (transfers, income, fees), `digital`. */
  group: string;
  hierarchy: string[];
}

/** Primaries that name no place: money moving between people, accounts and institutions. */
const SPECIAL = new Set(['INCOME', 'TRANSFER_IN', 'TRANSFER_OUT', 'LOAN_PAYMENTS', 'BANK_FEES']);

/** Words kept in lower case inside a name (`Food and Drink`). */
const SMALL = new Set(['AND', 'OR', 'OF', 'THE', 'TO', 'FOR', 'IN', 'ON', 'AT']);
/** Abbreviations kept in upper case. */
const UPPER = new Set(['ATM', 'TV', 'ID', 'GPS', 'DVD', 'EV']);

/** `FOOD_AND_DRINK` → `Food and Drink`. */
export function humanize(code: string): string {
  return code
    .split('_')
    .filter(Boolean)
    .map((w, i) => {
      if (UPPER.has(w)) return w;
      if (i > 0 && SMALL.has(w)) return w.toLowerCase();
      return w.charAt(0) + w.slice(1).toLowerCase();
    })
    .join(' ');
}

interface Built {
  list: PlaidCategory[];
  byCode: Map<string, PlaidCategory>;
  byId: Map<string, PlaidCategory>;
}

function build(): Built {
  const list: PlaidCategory[] = [];
  const byCode = new Map<string, PlaidCategory>();
  const byId = new Map<string, PlaidCategory>();
  listPrimaries().forEach((p, i) => {
    const pp = String(10 + i);
    const group = SPECIAL.has(p.primary) ? 'special' : 'place';
    const primaryName = humanize(p.primary);
    const top: PlaidCategory = { category_id: `${pp}000000`, group, hierarchy: [primaryName] };
    list.push(top);
    byCode.set(p.primary, top);
    byId.set(top.category_id, top);
    p.detailed.forEach((d, j) => {
      const rest = d.slice(p.primary.length + 1);
      const child: PlaidCategory = {
        category_id: `${pp}${String(j + 1).padStart(3, '0')}000`,
        group,
        hierarchy: [primaryName, humanize(rest)],
      };
      list.push(child);
      byCode.set(d, child);
      byId.set(child.category_id, child);
    });
  });
  return { list, byCode, byId };
}

const built = build();

/** Every category of the hierarchy, primaries first within each group of children (`/categories/get`). */
export function plaidCategories(): PlaidCategory[] {
  return built.list.map((c) => ({ ...c, hierarchy: [...c.hierarchy] }));
}

/**
 * The legacy category of a finagg category: its detailed code where it has one (and it belongs to the taxonomy),
 * else its primary; null when neither is known.
 */
export function legacyCategory(
  c: { primary: string; detailed?: string | null } | null | undefined,
): PlaidCategory | null {
  if (!c) return null;
  if (c.detailed && lookupDetailed(c.detailed)?.primary === c.primary) {
    const hit = built.byCode.get(c.detailed);
    if (hit) return hit;
  }
  return built.byCode.get(c.primary) ?? null;
}

/** The category of a legacy id, or null. */
export function categoryById(id: string): PlaidCategory | null {
  return built.byId.get(id) ?? null;
}
