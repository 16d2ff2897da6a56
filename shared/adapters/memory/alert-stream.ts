import { systemClock, type Clock } from '../../ports/clock';
import { validateAlertFor, type Alert } from '../../domain/alerts';
import { assertRecentCount, type AlertSink, type AppendResult, type RecentOptions } from '../../ports/alerts';

export interface MemoryAlertStreamOptions {
  /** Alerts kept per user; older ones fall off. Default 1000 (as the Upstash adapter). */
  maxLen?: number;
  /** How long an alert id is remembered for de-duplication. Default 35 days (as the Upstash adapter). */
  dedupeTtlSeconds?: number;
  clock?: Clock;
}

interface Feed {
  /** Oldest first. */
  entries: Alert[];
  /** Alert id → when it may be appended again. */
  seen: Map<string, number>;
}

/** The alert feed within one process (local twin without Redis, unit tests): the Upstash adapter's contract. */
export class MemoryAlertStream implements AlertSink {
  private readonly feeds = new Map<string, Feed>();
  private readonly maxLen: number;
  private readonly dedupeTtlMs: number;
  private readonly clock: Clock;

  constructor(options: MemoryAlertStreamOptions = {}) {
    this.maxLen = options.maxLen ?? 1000;
    this.dedupeTtlMs = (options.dedupeTtlSeconds ?? 35 * 24 * 3600) * 1000;
    this.clock = options.clock ?? systemClock;
  }

  async append(userId: string, alert: Alert): Promise<AppendResult> {
    const parsed = validateAlertFor(userId, alert);
    const now = this.clock.now().getTime();
    let feed = this.feeds.get(userId);
    if (!feed) {
      feed = { entries: [], seen: new Map() };
      this.feeds.set(userId, feed);
    }
    const until = feed.seen.get(parsed.id);
    if (until !== undefined && until > now) return { appended: false };
    feed.seen.set(parsed.id, now + this.dedupeTtlMs);
    feed.entries.push(structuredClone(parsed));
    if (feed.entries.length > this.maxLen) feed.entries.splice(0, feed.entries.length - this.maxLen);
    for (const [id, expiresAt] of feed.seen) if (expiresAt <= now) feed.seen.delete(id);
    return { appended: true };
  }

  async recent(userId: string, options: RecentOptions): Promise<Alert[]> {
    assertRecentCount(options.count);
    const entries = this.feeds.get(userId)?.entries ?? [];
    return entries
      .slice(-options.count)
      .reverse()
      .map((alert) => structuredClone(alert));
  }
}
