import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ChangeSink, StoreChange } from '../../ports/change-feed';

/** SendMessageBatch takes at most 10 entries. */
const SQS_BATCH = 10;

/**
 * The relay's delivery in the cloud: every change to every change queue (one SQS FIFO queue per consumer; each
 * consumer passes by the changes it does not take). MessageGroupId = the user (a user's changes are received in
 * order), MessageDeduplicationId = `outbox-<seq>` (a re-send within five minutes is dropped). Entries go out in
 * feed order, ten at a time; an entry that fails holds back its user's later changes (they are not sent, so a
 * retry cannot overtake them), and the change counts as not delivered until every queue took it.
 */
export function sqsChangeSink(client: SQSClient, queueUrls: readonly string[]): ChangeSink {
  return {
    async deliver(changes) {
      const failed = new Map<string, string | null>();
      for (const url of queueUrls) {
        const blocked = new Set<string>();
        const pending = [...changes];
        while (pending.length) {
          const chunk: StoreChange[] = [];
          while (pending.length && chunk.length < SQS_BATCH) {
            const c = pending.shift()!;
            if (blocked.has(c.userId)) {
              if (!failed.has(c.id)) failed.set(c.id, null);
              continue;
            }
            chunk.push(c);
          }
          if (!chunk.length) continue;
          const out = await client.send(
            new SendMessageBatchCommand({
              QueueUrl: url,
              Entries: chunk.map((c, i) => ({
                Id: String(i),
                MessageBody: JSON.stringify(c),
                MessageGroupId: c.userId,
                MessageDeduplicationId: `outbox-${c.id}`,
              })),
            }),
          );
          for (const f of out.Failed ?? []) {
            const c = chunk[Number(f.Id)];
            if (!c) continue;
            failed.set(c.id, `${url}: ${f.Code ?? 'error'} ${f.Message ?? ''}`.trim());
            blocked.add(c.userId);
          }
        }
      }
      return { failed };
    },
  };
}
