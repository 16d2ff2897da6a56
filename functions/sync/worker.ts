import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { SyncJobSchema } from '../../shared/domain/jobs';
import { logger } from '../../shared/logger';
import { syncDeps } from '../../shared/services/providers';
import { runSync } from '../../shared/services/sync';

const processor = new BatchProcessor(EventType.SQS);

async function handleRecord(record: SQSRecord): Promise<void> {
  const job = SyncJobSchema.parse(JSON.parse(record.body));
  const run = await runSync(await syncDeps(), job);
  logger.info('sync finished', {
    syncId: run.id,
    connectionId: run.connectionId,
    status: run.status,
    pages: run.pages,
    added: run.added,
    modified: run.modified,
    removed: run.removed,
    merged: run.merged,
    quarantined: run.quarantined,
    ms: run.finishedAt ? Date.parse(run.finishedAt) - Date.parse(run.startedAt) : null,
  });
}

/**
 * The sync worker: one SQS message = one sync of one connection. A failed sync is reported as a batch item
 * failure (the queue retries it, then dead-letters it); a malformed message fails alone.
 */
export const handler = async (event: SQSEvent, context: Context) => {
  logger.addContext(context);
  return processPartialResponse(event, handleRecord, processor, { context });
};
