import type { SQSClient } from '@aws-sdk/client-sqs';
import type { RedeliveryDelay } from '../../ports/plaid-webhooks';

let sqs: SQSClient | undefined;

/**
 * RedeliveryDelay on SQS: the received message stays invisible `seconds` more (at most 12 hours), then the queue
 * delivers it again, until its redrive policy dead-letters it. `local://` queues back off by themselves.
 */
export function redeliveryDelay(queueUrl: string): RedeliveryDelay {
  if (queueUrl.startsWith('local://')) return { delay: async () => undefined };
  return {
    async delay(receiptHandle, seconds) {
      const { SQSClient, ChangeMessageVisibilityCommand } = await import('@aws-sdk/client-sqs');
      sqs ??= new SQSClient({});
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: Math.max(0, Math.min(43_200, Math.round(seconds))),
        }),
      );
    },
  };
}
