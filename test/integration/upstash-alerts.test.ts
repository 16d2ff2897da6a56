import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { UpstashAlertStream } from '../../shared/adapters/upstash/alert-stream';
import { describeAlertSinkContract, makeAlert } from '../unit/adapters/locks-contract';
import { startUpstashHarness, type UpstashHarness } from './upstash-support';

let harness: UpstashHarness;
beforeAll(async () => {
  harness = await startUpstashHarness();
});
afterAll(async () => harness?.close());

describeAlertSinkContract('Upstash (@upstash/redis → REST bridge → Redis)', async () => {
  const prefix = harness.prefix('alerts');
  const redis = harness.client();
  return { sink: (options) => new UpstashAlertStream(redis, { prefix, maxLen: options?.maxLen }) };
});

describe('UpstashAlertStream, Redis specifics', () => {
  it('writes to the stream alerts:<userId> with one JSON field, and marks the id with a TTL', async () => {
    const prefix = harness.prefix('alerts-specifics');
    const sink = new UpstashAlertStream(harness.client(), { prefix, dedupeTtlSeconds: 3600 });
    const alert = makeAlert('u1');
    await sink.append('u1', alert);
    const entries = await harness.raw.xrange(`${prefix}alerts:u1`, '-', '+');
    expect(entries).toHaveLength(1);
    const [streamId, fields] = entries[0] ?? [];
    expect(fields).toEqual(['alert', JSON.stringify(alert)]);
    const seen = `${prefix}alert-seen:u1:${alert.id}`;
    expect(await harness.raw.get(seen)).toBe(streamId);
    const ttl = await harness.raw.ttl(seen);
    expect(ttl).toBeGreaterThan(3500);
    expect(ttl).toBeLessThanOrEqual(3600);
  });

  it('appends a redelivered alert again once its de-duplication marker has expired', async () => {
    const prefix = harness.prefix('alerts-expiry');
    const sink = new UpstashAlertStream(harness.client(), { prefix });
    const alert = makeAlert('u2');
    await sink.append('u2', alert);
    expect(await sink.append('u2', alert)).toEqual({ appended: false });
    await harness.raw.del(`${prefix}alert-seen:u2:${alert.id}`);
    expect(await sink.append('u2', alert)).toEqual({ appended: true });
  });

  it('does not mark an alert as seen when XADD fails (nothing lost on redelivery)', async () => {
    const prefix = harness.prefix('alerts-failure');
    const sink = new UpstashAlertStream(harness.client(), { prefix });
    await harness.raw.set(`${prefix}alerts:u3`, 'not a stream');
    const alert = makeAlert('u3');
    await expect(sink.append('u3', alert)).rejects.toThrow(/WRONGTYPE/);
    expect(await harness.raw.exists(`${prefix}alert-seen:u3:${alert.id}`)).toBe(0);
    await harness.raw.del(`${prefix}alerts:u3`);
    expect(await sink.append('u3', alert)).toEqual({ appended: true });
  });

  it('skips, and reports, stream entries that are not valid alerts', async () => {
    const prefix = harness.prefix('alerts-invalid');
    const onInvalidEntry = vi.fn();
    const sink = new UpstashAlertStream(harness.client(), { prefix, onInvalidEntry });
    const good = makeAlert('u4');
    await sink.append('u4', good);
    const key = `${prefix}alerts:u4`;
    await harness.raw.xadd(key, '*', 'alert', '{"id":"x","kind":"weird"}');
    await harness.raw.xadd(key, '*', 'alert', JSON.stringify({ ...makeAlert('someone-else') }));
    await harness.raw.xadd(key, '*', 'something', 'else');
    expect(await sink.recent('u4', { count: 10 })).toEqual([good]);
    expect(onInvalidEntry).toHaveBeenCalledTimes(3);
    expect(onInvalidEntry.mock.calls.map(([e]) => (e as { reason: string }).reason)).toContain(
      'alert of another user',
    );
  });

  it('bounds the stream with MAXLEN ~ (checked on the Redis side)', async () => {
    const prefix = harness.prefix('alerts-maxlen');
    const sink = new UpstashAlertStream(harness.client(), { prefix, maxLen: 50 });
    for (let i = 0; i < 400; i++) await sink.append('u5', makeAlert('u5'));
    const length = await harness.raw.xlen(`${prefix}alerts:u5`);
    expect(length).toBeGreaterThanOrEqual(50);
    expect(length).toBeLessThanOrEqual(150);
  });

  it('works without auto-pipelining and without base64 responses', async () => {
    const prefix = harness.prefix('alerts-plain');
    const sink = new UpstashAlertStream(harness.client({ autoPipelining: false, base64: false }), { prefix });
    const alert = makeAlert('u6', { message: 'Ünïcödé ✓ message' });
    expect(await sink.append('u6', alert)).toEqual({ appended: true });
    expect(await sink.append('u6', alert)).toEqual({ appended: false });
    expect(await sink.recent('u6', { count: 5 })).toEqual([alert]);
  });
});
