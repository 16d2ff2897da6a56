import * as z from 'zod';

export const AlertKindSchema = z.enum(['budget_threshold', 'budget_exceeded', 'anomaly']);
export type AlertKind = z.infer<typeof AlertKindSchema>;

/** An alert (a budget threshold or an anomaly) as the API shows it (API.md, `GET /alerts`), plus its owner. */
export const AlertSchema = z.lazy(() =>
  z.object({
    /** Deterministic (e.g. derived from budget, threshold and period), so a redelivered alert has the same id. */
    id: z.string().min(1).max(256),
    kind: AlertKindSchema,
    user_id: z.string().min(1).max(256),
    budget_id: z.string().min(1).optional(),
    transaction_id: z.string().min(1).optional(),
    message: z.string().min(1).max(4096),
    /** RFC 3339. */
    created_at: z.iso.datetime({ offset: true }),
  }),
);
export type Alert = z.infer<typeof AlertSchema>;

/** Checks an alert before it is written: valid, and owned by the user whose feed it goes to. */
export function validateAlertFor(userId: string, alert: Alert): Alert {
  const parsed = AlertSchema.parse(alert);
  if (parsed.user_id !== userId) {
    throw new Error(`alert ${parsed.id} belongs to another user: it cannot go to this user's feed`);
  }
  return parsed;
}
