import { institutionId } from './ids';

/**
 * finagg's banks as Plaid institutions. Each provider is one institution (`bank_a` → `ins_bank_a`), OAuth, with
 * the transactions product, in the country its bank is in.
 */

export interface InstitutionSource {
  /** The provider id (`bank_a`). */
  id: string;
  name: string;
}

/** The country each mock bank is in (its README); a provider not listed is taken as US. */
const COUNTRY: Record<string, string> = { bank_a: 'US', bank_b: 'GB', bank_c: 'IN' };
const COLOR: Record<string, string> = { bank_a: '#8a5a2b', bank_b: '#2f6b3a', bank_c: '#1f4e79' };

export interface PlaidInstitution {
  institution_id: string;
  name: string;
  products: string[];
  country_codes: string[];
  url: string | null;
  primary_color: string | null;
  logo: string | null;
  routing_numbers: string[];
  dtc_numbers: string[];
  oauth: boolean;
  status: null;
}

export function plaidInstitution(p: InstitutionSource): PlaidInstitution {
  return {
    institution_id: institutionId(p.id),
    name: p.name,
    products: ['transactions'],
    country_codes: [COUNTRY[p.id] ?? 'US'],
    url: null,
    primary_color: COLOR[p.id] ?? null,
    logo: null,
    routing_numbers: [],
    dtc_numbers: [],
    oauth: true,
    status: null,
  };
}

/**
 * `/institutions/search`: institutions whose name or id contains every word of the query (case-insensitive), in
 * one of the countries, offering every product asked for.
 */
export function searchInstitutions(
  all: readonly PlaidInstitution[],
  query: { query: string; countryCodes: readonly string[]; products?: readonly string[] | null },
): PlaidInstitution[] {
  const words = query.query.toLowerCase().split(/\s+/).filter(Boolean);
  const countries = new Set(query.countryCodes.map((c) => c.toUpperCase()));
  return all.filter((i) => {
    const text = `${i.name} ${i.institution_id}`.toLowerCase();
    return (
      words.every((w) => text.includes(w)) &&
      i.country_codes.some((c) => countries.has(c)) &&
      (query.products ?? []).every((p) => i.products.includes(p))
    );
  });
}
