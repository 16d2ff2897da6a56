import { Duration, Validations } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { DeduplicationScope, FifoThroughputLimit, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { FunctionSpec, QueueName } from '../catalogue';
import { batchingWindowOf, timeoutOf } from './catalogue-function';
import { transparent, uniqueIdAsBefore } from './logical-ids';

/** AWS guidance: a queue's visibility timeout is at least six times its consumer's function timeout. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;
/** maxReceiveCount of a queue no catalogue function consumes yet. */
export const DEFAULT_MAX_RECEIVE_COUNT = 5;

export interface MessagingProps {
  /**
   * The catalogue entries deployed: the sync queue is sized from its consumer, stream consumers need a failure
   * queue, and each change-feed consumer gets its change queue.
   */
  specs: readonly FunctionSpec[];
}

/** A change-feed consumer's SQS FIFO queue and its FIFO dead-letter queue (Postgres storage). */
export interface ChangeQueue {
  queue: Queue;
  deadLetterQueue: Queue;
}

/** How work moves: the domain event bus, the sync queue with its dead letters, the stream consumers' failures. */
export class Messaging extends Construct {
  readonly bus: EventBus;
  readonly syncQueue: Queue;
  readonly syncDeadLetterQueue: Queue;
  /** Plaid webhook deliveries: redelivered with backoff, dead-lettered after the consumer's receive count. */
  readonly webhookQueue: Queue;
  readonly webhookDeadLetterQueue: Queue;
  /** Created when the catalogue has a stream consumer: their failed batches' metadata lands here. */
  readonly streamFailureQueue: Queue | undefined;
  /**
   * One FIFO queue per change-feed consumer (`changes` in the catalogue), by function name. One queue per consumer,
   * not one shared queue: SQS hands each message to ONE consumer, and every processor must see every change. The
   * outbox relay sends each change to each of them (CHANGES_QUEUE_URLS).
   */
  readonly changeQueues = new Map<string, ChangeQueue>();

  constructor(scope: Construct, id: string, { specs }: MessagingProps) {
    super(scope, id);
    transparent(this);

    this.bus = new EventBus(this, 'Bus', {
      description: 'finagg domain events (alerts, sync results)',
      // The name it has always had (a bus is replaced when renamed): its unique id directly in the stack.
      eventBusName: uniqueIdAsBefore(this, 'Bus'),
    });

    const consumer = specs.find((s) => s.queue?.name === 'sync');
    const consumerTimeout = timeoutOf(consumer);
    const batchingWindow = consumer ? batchingWindowOf(consumer) : 0;
    this.syncDeadLetterQueue = new Queue(this, 'SyncDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.syncQueue = new Queue(this, 'SyncQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(VISIBILITY_TIMEOUT_FACTOR * consumerTimeout + batchingWindow),
      deadLetterQueue: {
        queue: this.syncDeadLetterQueue,
        maxReceiveCount: consumer?.queue?.maxReceiveCount ?? DEFAULT_MAX_RECEIVE_COUNT,
      },
    });

    const webhooks = specs.find((s) => s.queue?.name === 'plaid-webhooks');
    this.webhookDeadLetterQueue = new Queue(this, 'PlaidWebhookDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.webhookQueue = new Queue(this, 'PlaidWebhookQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(
        VISIBILITY_TIMEOUT_FACTOR * timeoutOf(webhooks) + (webhooks ? batchingWindowOf(webhooks) : 0),
      ),
      deadLetterQueue: {
        queue: this.webhookDeadLetterQueue,
        maxReceiveCount: webhooks?.queue?.maxReceiveCount ?? DEFAULT_MAX_RECEIVE_COUNT,
      },
    });

    if (specs.some((s) => s.stream)) {
      this.streamFailureQueue = new Queue(this, 'StreamFailureQueue', {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      Validations.of(this.streamFailureQueue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason:
          'This queue IS a dead-letter destination: the on-failure destination of the table-stream event source ' +
          'mappings (metadata of batches that exhausted their retries). cdk-nag only recognises redrive and ' +
          'function DLQs, not event-source-mapping destinations.',
      });
    }

    for (const spec of specs) {
      if (spec.changes) this.changeQueues.set(spec.name, this.changeQueue(spec, spec.changes));
    }
  }

  /**
   * Message group = user (the relay's MessageGroupId): a user's changes are delivered in outbox order, one batch
   * of a group at a time, while users proceed in parallel (high-throughput FIFO: deduplication and throughput per
   * message group). The relay's MessageDeduplicationId is the outbox seq, so a re-send within five minutes is
   * dropped by SQS; later ones are absorbed by the idempotent processors.
   */
  private changeQueue(spec: FunctionSpec, changes: NonNullable<FunctionSpec['changes']>): ChangeQueue {
    const deadLetterQueue = new Queue(this, `${spec.name}DeadLetterQueue`, {
      fifo: true,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const queue = new Queue(this, `${spec.name}Queue`, {
      fifo: true,
      deduplicationScope: DeduplicationScope.MESSAGE_GROUP,
      fifoThroughputLimit: FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      visibilityTimeout: Duration.seconds(VISIBILITY_TIMEOUT_FACTOR * timeoutOf(spec)),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: changes.maxReceiveCount },
    });
    return { queue, deadLetterQueue };
  }

  /** The queue a catalogue entry consumes. */
  queueNamed(name: QueueName): Queue {
    return name === 'sync' ? this.syncQueue : this.webhookQueue;
  }
}
