import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { validatePlaidBody } from '../../../shared/http/plaid';

describe('validatePlaidBody', () => {
  const schema = z.object({ access_token: z.string(), options: z.object({ count: z.number() }).optional() });
  it('names missing fields MISSING_FIELDS and wrong ones INVALID_FIELD', () => {
    expect(() => validatePlaidBody(schema, {})).toThrow(/missing: access_token/);
    try {
      validatePlaidBody(schema, { access_token: 1 });
    } catch (err) {
      expect(err).toMatchObject({ code: 'INVALID_FIELD' });
      expect((err as Error).message).toContain('access_token');
    }
    expect(validatePlaidBody(schema, { access_token: 'a', extra: 1 })).toEqual({ access_token: 'a' });
  });
});
