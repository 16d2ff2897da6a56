import type { SQSClient } from '@aws-sdk/client-sqs';
import type { JobQueue } from '../../ports/queue';
import { localQueue } from '../local/queue-registry';

let sqs: SQSClient | undefined;

/** A JobQueue on SQS, or on the twin's in-process queue when the URL is `local://<name>`. */
export function jobQueue<T>(queueUrl: string): JobQueue<T> {
  if (queueUrl.startsWith('local://')) {
    const name = queueUrl.slice('local://'.length);
    return { send: (message) => localQueue(name)(JSON.stringify(message)) };
  }
  return {
    async send(message) {
      // Loaded on first use: a function that never enqueues never parses the SQS client (cold start).
      const { SQSClient, SendMessageCommand } = await import('@aws-sdk/client-sqs');
      sqs ??= new SQSClient({});
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(message) }));
    },
  };
}
