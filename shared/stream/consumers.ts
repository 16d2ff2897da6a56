import type { ChangeFilter } from './change';

/**
 * The changes each processor takes, whichever feed brings them: the same as the catalogue's DynamoDB stream filters
 * of the Categorizer and InsightsProcessor (lib/catalogue.ts). In Postgres storage the relay sends every change to
 * every consumer's queue (or, in the twin, hands every change to every consumer), and each consumer passes the
 * others by.
 */
export const CHANGE_CONSUMERS = {
  categorizer: [{ entities: ['transaction', 'recategorize'], events: ['INSERT', 'MODIFY'] }],
  insights: [
    { entities: ['transaction', 'budget'], events: ['INSERT', 'MODIFY'] },
    { entities: ['transaction'], events: ['REMOVE'] },
  ],
} as const satisfies Record<string, readonly ChangeFilter[]>;

export type ChangeConsumer = keyof typeof CHANGE_CONSUMERS;
