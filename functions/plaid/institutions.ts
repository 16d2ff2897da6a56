import * as z from 'zod';
import { plaidRoute } from '../../shared/http/plaid';
import { CountryCodes, Products } from '../../shared/http/plaid-schemas';
import { router } from '../../shared/http/router';
import { syncProviders } from '../../shared/services/providers';
import { institutionById, searchProviders } from '../../shared/services/plaid/institutions';

export const handler = router({
  'POST /plaid/institutions/get_by_id': plaidRoute(
    {
      summary: 'Plaid: one institution (a finagg bank) by id.',
      body: z.object({
        institution_id: z.string().min(1).max(100),
        country_codes: CountryCodes,
        options: z.object({}).loose().optional(),
      }),
      example: {
        summary: 'Acorn Bank (bank_a) as a Plaid institution',
        value: { institution_id: 'ins_bank_a', country_codes: ['US'] },
      },
    },
    async ({ body }) => ({
      institution: institutionById(
        syncProviders(),
        body.institution_id,
        body.country_codes.map((c) => c.toUpperCase()),
      ),
    }),
  ),
  'POST /plaid/institutions/search': plaidRoute(
    {
      summary:
        'Plaid: institutions whose name matches the query, in the countries and with the products asked.',
      body: z.object({
        query: z.string().min(1).max(200),
        products: Products.nullable().optional(),
        country_codes: CountryCodes,
        options: z.object({}).loose().optional(),
      }),
      example: {
        summary: 'Banks named like "bank" in the US and the UK',
        value: { query: 'bank', country_codes: ['US', 'GB'], products: ['transactions'] },
      },
    },
    async ({ body }) => ({
      institutions: searchProviders(syncProviders(), {
        query: body.query,
        countryCodes: body.country_codes,
        products: body.products,
      }),
    }),
  ),
});
