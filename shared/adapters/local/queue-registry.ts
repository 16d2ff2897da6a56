/**
 * The local twin runs its queues in-process; functions reach them through this registry when their queue URL
 * is `local://<name>`. Nothing here exists in the cloud, where the URL is an SQS queue URL.
 */
export type LocalQueueSend = (body: string) => Promise<void>;

const REGISTRY_KEY = Symbol.for('finagg.localQueues');
type Registry = Map<string, LocalQueueSend>;

function registry(): Registry {
  const g = globalThis as unknown as { [REGISTRY_KEY]?: Registry };
  g[REGISTRY_KEY] ??= new Map();
  return g[REGISTRY_KEY];
}

export function registerLocalQueue(name: string, send: LocalQueueSend): void {
  registry().set(name, send);
}

export function localQueue(name: string): LocalQueueSend {
  const send = registry().get(name);
  if (!send) throw new Error(`No local queue named ${name} is running (is the local twin up?)`);
  return send;
}
