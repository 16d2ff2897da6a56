import * as z from 'zod';
import { CORRECTABLE_FIELDS, UNDOABLE_FIELDS } from '../../shared/domain/corrections';
import { isDetailed, isPrimary, isValidCategory, primaryOf } from '../../shared/domain/taxonomy';
import { httpRoute, json } from '../../shared/http/handler';
import { router } from '../../shared/http/router';
import { clientDate, IdPath } from '../../shared/http/schemas';
import { getRuntime, runtimeClock } from '../../shared/runtime';
import { correctTransaction, transactionAudit, undoCorrection } from '../../shared/services/corrections';

const Text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);

/** A decimal string; whether it has more decimals than the transaction's currency allows is checked against it. */
const Amount = z
  .string({ error: 'must be a decimal string such as "-12.34"' })
  .regex(/^[+-]?\d{1,13}(\.\d{1,6})?$/, 'must be a decimal string such as "-12.34"');

/** A category of the taxonomy: `{primary, detailed?}`, or one code (`FOOD_AND_DRINK_COFFEE`, `FOOD_AND_DRINK`). */
const Category = z
  .union([
    z.string().max(100),
    z.object({ primary: z.string().max(100), detailed: z.string().max(100).nullable().optional() }).strict(),
  ])
  .transform((v, ctx) => {
    const pair =
      typeof v === 'string'
        ? isDetailed(v)
          ? { primary: primaryOf(v)!, detailed: v }
          : isPrimary(v)
            ? { primary: v, detailed: null }
            : null
        : { primary: v.primary, detailed: v.detailed ?? null };
    if (!pair || !isValidCategory(pair)) {
      ctx.addIssue({
        code: 'custom',
        message:
          'must be a category of the taxonomy: {"primary":"FOOD_AND_DRINK","detailed":"FOOD_AND_DRINK_COFFEE"}',
      });
      return z.NEVER;
    }
    return pair;
  });

const Resolve = z
  .object(Object.fromEntries(CORRECTABLE_FIELDS.map((f) => [f, z.enum(['keep', 'bank']).optional()])))
  .strict()
  .refine((r) => Object.values(r).some((v) => v !== undefined), 'must name at least one field');

const CorrectionBody = z
  .object({
    amount: Amount.optional(),
    description: Text(500).optional(),
    merchant_name: Text(200).nullable().optional(),
    date: clientDate(runtimeClock).optional(),
    category: Category.optional(),
    note: Text(1000).optional(),
    create_rule: z.boolean().optional(),
    resolve: Resolve.optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    const corrected = [...CORRECTABLE_FIELDS, 'category' as const].filter((f) => b[f] !== undefined);
    if (!corrected.length && !b.resolve) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: `nothing to correct: give at least one of ${[...CORRECTABLE_FIELDS, 'category'].join(', ')} or resolve`,
      });
    }
    if (b.create_rule && b.category === undefined) {
      ctx.addIssue({ code: 'custom', path: ['create_rule'], message: 'create_rule needs a category' });
    }
    for (const f of CORRECTABLE_FIELDS) {
      if (b.resolve?.[f] !== undefined && b[f] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['resolve', f],
          message: `${f} is both corrected and resolved: give one or the other`,
        });
      }
    }
  });

const UndoQuery = z
  .object({
    /** Comma-separated: amount, description, merchant_name, date, category. Default: every corrected field. */
    fields: z
      .string()
      .transform((s) => [...new Set(s.split(',').map((f) => f.trim()))])
      .pipe(z.array(z.enum(UNDOABLE_FIELDS)).min(1))
      .optional(),
    note: Text(1000).optional(),
  })
  .strict();

export const handler = router({
  'POST /transactions/{id}/reconcile': httpRoute(
    {
      summary:
        "Correct a transaction (amount, description, merchant, date, category, note); the bank's original stays.",
      path: IdPath,
      body: CorrectionBody,
    },
    async ({ userId, path, body }) =>
      json(200, await correctTransaction(getRuntime(), userId, path.id, body)),
  ),
  'DELETE /transactions/{id}/reconcile': httpRoute(
    {
      summary: "Undo the caller's corrections of a transaction.",
      path: IdPath,
      query: UndoQuery,
    },
    async ({ userId, path, query }) =>
      json(
        200,
        await undoCorrection(getRuntime(), userId, path.id, { fields: query.fields, note: query.note }),
      ),
  ),
  'GET /transactions/{id}/audit': httpRoute(
    {
      summary: 'Every change to a transaction, by the bank and by the user, oldest first.',
      path: IdPath,
    },
    async ({ userId, path }) => json(200, await transactionAudit(getRuntime().store, userId, path.id)),
  ),
});
