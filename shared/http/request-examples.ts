/**
 * One request example per route that takes a JSON body, keyed `METHOD /path` as in the catalogue. The OpenAPI
 * generator (shared/http/openapi.ts) checks each against the route's zod body schema (an example the schema
 * rejects fails `npm run openapi` and the tests) and puts it into the document, where the /docs page shows it and
 * pre-fills "Try it out" with it.
 */
export const REQUEST_EXAMPLES: Readonly<Record<string, { summary: string; value: unknown }>> = {
  'POST /auth/link-bank': {
    summary: 'Start linking a mock bank',
    value: { provider: 'bank_a', redirect_uri: 'https://app.example.com/link/callback' },
  },
  'POST /auth/callback': {
    summary: 'Finish linking with the state and code the bank redirected with',
    value: { state: 'st_4f1c2a9e', code: 'code_8d0b7f3e' },
  },
  'POST /connections/{id}/sync': {
    summary:
      'A full reconciliation: the bank lists everything (the body may be left out: an incremental sync)',
    value: { full: true },
  },
  'POST /budgets': {
    summary: 'A monthly food budget that alerts at 80% and 100%',
    value: {
      category: 'FOOD_AND_DRINK',
      period: 'monthly',
      limit: '400.00',
      currency: 'USD',
      thresholds: [0.8, 1],
    },
  },
  'PUT /budgets/{id}': {
    summary: 'Raise the limit',
    value: { limit: '450.00' },
  },
  'POST /rules': {
    summary: 'Coffee from one merchant is coffee',
    value: {
      match: { merchant: 'Blue Bottle Coffee' },
      category: { primary: 'FOOD_AND_DRINK', detailed: 'FOOD_AND_DRINK_COFFEE' },
      priority: 10,
    },
  },
  'PUT /rules/{id}': {
    summary: 'Only purchases over 20.00',
    value: {
      match: { merchant: 'Blue Bottle Coffee', min_amount: '20.00' },
      category: { primary: 'FOOD_AND_DRINK' },
    },
  },
  'PUT /settings': {
    summary: 'Budget periods and "today" in New York',
    value: { time_zone: 'America/New_York' },
  },
  'POST /transactions/{id}/reconcile': {
    summary: 'Correct the category and make a rule of it',
    value: { category: 'FOOD_AND_DRINK_COFFEE', create_rule: true, note: 'This is my coffee shop' },
  },
  'POST /transactions/enrich': {
    summary: 'Clean and categorize a card description',
    value: {
      transactions: [
        { id: 't1', description: 'SQ *BLUE BOTTLE COFFEE 0423', amount: '-4.50', currency: 'USD' },
      ],
    },
  },
};
