import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { logger } from '../../shared/logger';
import { changeFeed } from '../../shared/runtime-postgres';
import { changeQueues, getRuntime } from '../../shared/runtime';
import { relayOutbox } from '../../shared/services/outbox-relay';

/** This container's name in the relay lease. */
const owner = `relay-${randomUUID()}`;

/**
 * The outbox relay (Postgres storage): nudged by the writers right after their commits (an asynchronous invoke)
 * and swept by a one-minute schedule. Sends the outbox's undelivered changes, in order per user, to every change
 * queue (SQS FIFO, message group = user) and marks them delivered (shared/services/outbox-relay.ts). Any event
 * does: the nudge's and the schedule's payloads are not read.
 */
export const handler = async (_event: unknown, context: Context) => {
  logger.addContext(context);
  const result = await relayOutbox(
    { feed: await changeFeed(), sink: changeQueues(), clock: getRuntime().clock },
    // Stop starting batches well before the function's timeout; the lease outlives the invocation.
    { owner, budgetMs: Math.max(5_000, context.getRemainingTimeInMillis() - 15_000), leaseMs: 90_000 },
  );
  if (result.ran && (result.delivered || result.failed)) {
    logger.info('outbox relayed', {
      delivered: result.delivered,
      failed: result.failed,
      dead: result.dead.length,
      batches: result.batches,
    });
  }
  return { ran: result.ran, delivered: result.delivered, failed: result.failed, dead: result.dead.length };
};
