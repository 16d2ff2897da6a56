import { describe, expect, it } from 'vitest';
import { MemoryAlertStream } from '../../../shared/adapters/memory/alert-stream';
import { MemoryLocks } from '../../../shared/adapters/memory/locks';
import { ManualClock } from '../../../shared/ports/clock';
import { describeAlertSinkContract, describeLocksContract, makeAlert } from './locks-contract';

describeLocksContract('in-memory (manual clock)', async () => {
  const clock = new ManualClock('2026-01-01T00:00:00Z');
  const locks = new MemoryLocks({ clock, retryDelayMs: 5 });
  return { locks: () => locks, advance: async (ms) => clock.advance(ms) };
});

describeAlertSinkContract('in-memory', async () => {
  const clock = new ManualClock('2026-01-01T00:00:00Z');
  return { sink: (options) => new MemoryAlertStream({ clock, maxLen: options?.maxLen }) };
});

describe('in-memory adapters, specifics', () => {
  it('trims the alert feed to exactly maxLen', async () => {
    const sink = new MemoryAlertStream({ maxLen: 3 });
    for (let i = 0; i < 7; i++) await sink.append('u', makeAlert('u'));
    expect(await sink.recent('u', { count: 100 })).toHaveLength(3);
  });

  it('forgets an alert id after the de-duplication window', async () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const sink = new MemoryAlertStream({ clock, dedupeTtlSeconds: 60 });
    const alert = makeAlert('u');
    expect(await sink.append('u', alert)).toEqual({ appended: true });
    clock.advance(59_000);
    expect(await sink.append('u', alert)).toEqual({ appended: false });
    clock.advance(2_000);
    expect(await sink.append('u', alert)).toEqual({ appended: true });
  });

  it('hands out copies: callers cannot change the stored alerts', async () => {
    const sink = new MemoryAlertStream();
    const alert = makeAlert('u');
    await sink.append('u', alert);
    const [read] = await sink.recent('u', { count: 1 });
    if (read) read.message = 'changed';
    expect((await sink.recent('u', { count: 1 }))[0]?.message).toBe(alert.message);
  });
});
