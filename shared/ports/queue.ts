/** A work queue (SQS in the cloud, in-process in the local twin): at-least-once delivery of JSON messages. */
export interface JobQueue<T> {
  send(message: T): Promise<void>;
}
