import { PlaidError } from '../../domain/plaid/errors';
import { plaidInstitution, searchInstitutions, type PlaidInstitution } from '../../domain/plaid/institutions';
import type { LinkProvider } from '../linking';

/** Every provider as a Plaid institution. */
export function institutions(providers: readonly Pick<LinkProvider, 'id' | 'name'>[]): PlaidInstitution[] {
  return providers.map((p) => plaidInstitution(p));
}

export function institutionById(
  providers: readonly Pick<LinkProvider, 'id' | 'name'>[],
  id: string,
  countryCodes?: readonly string[],
): PlaidInstitution {
  const found = institutions(providers).find((i) => i.institution_id === id);
  const inCountry = found && (!countryCodes || found.country_codes.some((c) => countryCodes.includes(c)));
  if (!found || !inCountry) {
    throw new PlaidError('INVALID_INSTITUTION', `invalid institution_id provided: ${id}`);
  }
  return found;
}

export function searchProviders(
  providers: readonly Pick<LinkProvider, 'id' | 'name'>[],
  query: { query: string; countryCodes: readonly string[]; products?: readonly string[] | null },
): PlaidInstitution[] {
  return searchInstitutions(institutions(providers), query);
}
