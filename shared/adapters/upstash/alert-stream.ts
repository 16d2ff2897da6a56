import type { Redis } from '@upstash/redis';
import { logger } from '../../logger';
import { AlertSchema, validateAlertFor, type Alert } from '../../domain/alerts';
import { assertRecentCount, type AlertSink, type AppendResult, type RecentOptions } from '../../ports/alerts';

/**
 * Appends once per alert id, atomically (a script runs alone on the server):
 * if the id's marker exists the alert was appended before and nothing happens; otherwise XADD (trimmed to about
 * MAXLEN entries) and then the marker, holding the stream entry id, with a TTL. XADD comes first so that a failing
 * XADD leaves no marker behind (a marker without its entry would lose the alert on redelivery).
 *
 * KEYS[1] the user's stream, KEYS[2] the alert id's marker;
 * ARGV[1] MAXLEN (approximate), ARGV[2] marker TTL in seconds, ARGV[3] the alert as JSON.
 */
const APPEND_ONCE = `
if redis.call('EXISTS', KEYS[2]) == 1 then
  return false
end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'alert', ARGV[3])
redis.call('SET', KEYS[2], id, 'EX', ARGV[2])
return id
`;

export interface UpstashAlertStreamOptions {
  /** Prepended to every key (a stage, or a test's namespace). Default ''. */
  prefix?: string;
  /** Entries kept per user stream, approximately (XADD MAXLEN ~): Redis trims whole nodes. Default 1000. */
  maxLen?: number;
  /** How long an alert id is remembered, so a redelivery is not appended twice. Default 35 days. */
  dedupeTtlSeconds?: number;
  /** Called for a stream entry that is not a valid alert (skipped by `recent`). Default: a warning in the log. */
  onInvalidEntry?: (entry: { streamId: string; key: string; reason: string }) => void;
}

/**
 * Each user's alerts in an Upstash Redis stream `alerts:<userId>`, one field `alert` holding the alert as JSON
 * (one JSON field, not one field per property: the REST client would turn a numeric-looking string into a number).
 * Consumers other than this adapter can XREAD the same stream for real-time delivery.
 */
export class UpstashAlertStream implements AlertSink {
  private readonly prefix: string;
  private readonly maxLen: number;
  private readonly dedupeTtlSeconds: number;
  private readonly onInvalidEntry: NonNullable<UpstashAlertStreamOptions['onInvalidEntry']>;
  private readonly appendScript;

  constructor(
    private readonly redis: Redis,
    options: UpstashAlertStreamOptions = {},
  ) {
    this.prefix = options.prefix ?? '';
    this.maxLen = options.maxLen ?? 1000;
    this.dedupeTtlSeconds = options.dedupeTtlSeconds ?? 35 * 24 * 3600;
    this.onInvalidEntry =
      options.onInvalidEntry ??
      ((entry) => logger.warn('Skipping an alert stream entry that is not a valid alert', entry));
    if (!Number.isSafeInteger(this.maxLen) || this.maxLen < 1) throw new RangeError('maxLen must be >= 1');
    if (!Number.isSafeInteger(this.dedupeTtlSeconds) || this.dedupeTtlSeconds < 1) {
      throw new RangeError('dedupeTtlSeconds must be >= 1');
    }
    this.appendScript = redis.createScript<string | null>(APPEND_ONCE);
  }

  /** The Redis key of a user's stream. */
  streamKey(userId: string): string {
    return `${this.prefix}alerts:${userId}`;
  }

  /** The Redis key that marks an alert id as appended (scoped by user: ids of two users never collide). */
  seenKey(userId: string, alertId: string): string {
    return `${this.prefix}alert-seen:${userId}:${alertId}`;
  }

  async append(userId: string, alert: Alert): Promise<AppendResult> {
    const parsed = validateAlertFor(userId, alert);
    const streamId = await this.appendScript.exec(
      [this.streamKey(userId), this.seenKey(userId, parsed.id)],
      [String(this.maxLen), String(this.dedupeTtlSeconds), JSON.stringify(parsed)],
    );
    return { appended: typeof streamId === 'string' && streamId.length > 0 };
  }

  async recent(userId: string, options: RecentOptions): Promise<Alert[]> {
    assertRecentCount(options.count);
    const key = this.streamKey(userId);
    const entries = await this.redis.xrevrange<Record<string, Record<string, unknown>>>(
      key,
      '+',
      '-',
      options.count,
    );
    const alerts: Alert[] = [];
    // Stream ids ("<ms>-<seq>") are not integer-like keys: the object keeps XREVRANGE's order, newest first.
    for (const [streamId, fields] of Object.entries(entries)) {
      const result = AlertSchema.safeParse(decodeField(fields.alert));
      if (!result.success) {
        this.onInvalidEntry({ streamId, key, reason: result.error.issues.map((i) => i.message).join('; ') });
      } else if (result.data.user_id !== userId) {
        this.onInvalidEntry({ streamId, key, reason: 'alert of another user' });
      } else {
        alerts.push(result.data);
      }
    }
    return alerts;
  }
}

/** The client parses JSON field values itself (automatic deserialization); a client without it hands strings. */
function decodeField(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}
