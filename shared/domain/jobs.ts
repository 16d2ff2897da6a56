import * as z from 'zod';

/** A message on the sync queue: one sync of one connection. The same shape for scheduled and manual syncs. */
export const SyncJobSchema = z.object({
  type: z.literal('sync'),
  sync_id: z.string().min(1),
  user_id: z.string().min(1),
  connection_id: z.string().min(1),
  reason: z.enum(['link', 'schedule', 'manual']),
  requested_at: z.iso.datetime(),
  /** List everything and reconcile it all (on demand); otherwise the sync lists only what can have changed. */
  full: z.boolean().optional(),
});

export type SyncJob = z.infer<typeof SyncJobSchema>;
