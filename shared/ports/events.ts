import * as z from 'zod';

/**
 * Domain events leaving the system: put on the EventBridge bus in the cloud (shared/adapters/eventbridge), kept
 * in memory and logged in the local twin (shared/adapters/memory/events.ts). Delivery is at least once: the
 * detail carries a stable `id` consumers can de-duplicate on.
 */
export const DomainEventSchema = z.lazy(() =>
  z.object({
    /** `finagg.budgets`, `finagg.anomalies`. */
    source: z.string().regex(/^[a-z][a-z0-9.-]{1,99}$/),
    /** `BudgetThresholdReached`, `AnomalyDetected`. */
    detailType: z.string().min(1).max(128),
    /** JSON object; `id` identifies the event for de-duplication. */
    detail: z
      .record(z.string(), z.unknown())
      .refine((d) => typeof d.id === 'string', 'detail.id is required'),
    /** RFC 3339; default: when it is put. */
    time: z.iso.datetime({ offset: true }).optional(),
  }),
);
export type DomainEvent = z.infer<typeof DomainEventSchema>;

export interface EventPublisher {
  /** Puts the events on the bus; throws when any of them was not accepted (the caller retries the lot). */
  publish(events: readonly DomainEvent[]): Promise<void>;
}

export const BUDGET_THRESHOLD_REACHED = {
  source: 'finagg.budgets',
  detailType: 'BudgetThresholdReached',
} as const;
export const ANOMALY_DETECTED = { source: 'finagg.anomalies', detailType: 'AnomalyDetected' } as const;
