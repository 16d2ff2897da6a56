/**
 * Plaid's personal-finance-category (PFC) taxonomy, v1: primary categories (e.g. FOOD_AND_DRINK) and their detailed
 * categories (e.g. FOOD_AND_DRINK_GROCERIES). The codes live in ONE data file, `taxonomy.json`; this module gives
 * them types, lookups and validation. Used by the generator (ground truth) and by categorization.
 *
 * Pure: no I/O beyond the static JSON import, no clock.
 */
import data from './taxonomy.json' with { type: 'json' };

export interface CategoryPair {
  primary: string;
  detailed: string;
}

export interface DetailedCategory {
  /** e.g. FOOD_AND_DRINK_GROCERIES */
  detailed: string;
  /** e.g. FOOD_AND_DRINK */
  primary: string;
  description: string;
}

export interface PrimaryCategory {
  primary: string;
  description: string;
  /** Detailed codes under this primary, in the data file's order. */
  detailed: readonly string[];
}

interface TaxonomyFile {
  taxonomy: string;
  version: string;
  primaries: {
    primary: string;
    description: string;
    detailed: { detailed: string; description: string }[];
  }[];
}

const file: TaxonomyFile = data;

export const TAXONOMY_NAME: string = file.taxonomy;
export const TAXONOMY_VERSION: string = file.version;

const primaryList: PrimaryCategory[] = [];
const detailedList: DetailedCategory[] = [];
const primaryByCode = new Map<string, PrimaryCategory>();
const detailedByCode = new Map<string, DetailedCategory>();

for (const p of file.primaries) {
  if (primaryByCode.has(p.primary)) throw new Error(`taxonomy: duplicate primary ${p.primary}`);
  const entry: PrimaryCategory = {
    primary: p.primary,
    description: p.description,
    detailed: Object.freeze(p.detailed.map((d) => d.detailed)),
  };
  primaryList.push(Object.freeze(entry));
  primaryByCode.set(p.primary, entry);
  for (const d of p.detailed) {
    if (!d.detailed.startsWith(`${p.primary}_`)) {
      throw new Error(`taxonomy: ${d.detailed} does not start with its primary ${p.primary}`);
    }
    if (detailedByCode.has(d.detailed)) throw new Error(`taxonomy: duplicate detailed ${d.detailed}`);
    const det: DetailedCategory = Object.freeze({
      detailed: d.detailed,
      primary: p.primary,
      description: d.description,
    });
    detailedList.push(det);
    detailedByCode.set(d.detailed, det);
  }
}

/** Every primary code, in the data file's order. */
export const PRIMARY_CODES: readonly string[] = Object.freeze(primaryList.map((p) => p.primary));
/** Every detailed code, grouped by primary, in the data file's order. */
export const DETAILED_CODES: readonly string[] = Object.freeze(detailedList.map((d) => d.detailed));

/** The primaries with their detailed codes. */
export function listPrimaries(): readonly PrimaryCategory[] {
  return primaryList;
}

/** Every detailed category, or only those under `primary`. An unknown primary gives an empty list. */
export function listDetailed(primary?: string): readonly DetailedCategory[] {
  if (primary === undefined) return detailedList;
  const p = primaryByCode.get(primary);
  return p ? p.detailed.map((d) => detailedByCode.get(d) as DetailedCategory) : [];
}

export function isPrimary(code: string): boolean {
  return primaryByCode.has(code);
}

export function isDetailed(code: string): boolean {
  return detailedByCode.has(code);
}

/** The primary of a detailed code (`FOOD_AND_DRINK_COFFEE` → `FOOD_AND_DRINK`), or null if it is not one. */
export function primaryOf(detailed: string): string | null {
  return detailedByCode.get(detailed)?.primary ?? null;
}

export function lookupPrimary(code: string): PrimaryCategory | null {
  return primaryByCode.get(code) ?? null;
}

export function lookupDetailed(code: string): DetailedCategory | null {
  return detailedByCode.get(code) ?? null;
}

/**
 * True when `primary` is a primary and `detailed` (if given) is one of its detailed codes. A category with only a
 * primary is valid (user rules may set only the primary).
 */
export function isValidCategory(c: { primary: string; detailed?: string | null }): boolean {
  if (!primaryByCode.has(c.primary)) return false;
  if (c.detailed === undefined || c.detailed === null) return true;
  return detailedByCode.get(c.detailed)?.primary === c.primary;
}

/** The full pair for a detailed code; throws on an unknown code (for data the program itself defines). */
export function categoryOf(detailed: string): CategoryPair {
  const d = detailedByCode.get(detailed);
  if (!d) throw new Error(`not a detailed category of the taxonomy: ${detailed}`);
  return { primary: d.primary, detailed: d.detailed };
}

/**
 * Reads a code written loosely (`food and drink - groceries`, `Food_And_Drink_Groceries`) as a taxonomy code, or
 * null. Exact codes pass through unchanged.
 */
export function normalizeCode(text: string): string | null {
  const code = text
    .trim()
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return primaryByCode.has(code) || detailedByCode.has(code) ? code : null;
}
