import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  chooseListing,
  INDEX_VERSION,
  storedScope,
  type SyncState,
} from '../../../shared/domain/sync-window';
import type { BankTransaction } from '../../../shared/domain/models';

const NOW = new Date('2026-05-01T10:00:00Z');
const state = (over: Partial<SyncState> = {}): SyncState => ({
  changeToken: 'tok',
  fullAt: '2026-05-01T00:00:00Z',
  pendingFrom: null,
  indexVersion: INDEX_VERSION,
  ...over,
});
const cursorBank = { changes: true, dates: false, correctionHorizonDays: 30 };
const windowBank = { changes: false, dates: true, correctionHorizonDays: 30 };
const plainBank = { changes: false, dates: false, correctionHorizonDays: 30 };

describe('chooseListing', () => {
  it('lists everything first, on demand, and a day after the last full listing', () => {
    expect(chooseListing(cursorBank, undefined, NOW, false)).toEqual({ kind: 'all' });
    expect(chooseListing(cursorBank, state(), NOW, true)).toEqual({ kind: 'all' });
    expect(chooseListing(cursorBank, state({ fullAt: '2026-04-30T10:00:00Z' }), NOW, false)).toEqual({
      kind: 'all',
    });
    expect(chooseListing(plainBank, state(), NOW, false)).toEqual({ kind: 'all' });
  });

  it('lists everything until the stored index is current (a connection stored before windows)', () => {
    const { indexVersion: _, ...legacy } = state();
    for (const bank of [cursorBank, windowBank]) {
      expect(chooseListing(bank, legacy, NOW, false)).toEqual({ kind: 'all' });
      expect(chooseListing(bank, state({ indexVersion: INDEX_VERSION - 1 }), NOW, false)).toEqual({
        kind: 'all',
      });
      expect(chooseListing(bank, state(), NOW, false).kind).toBe(bank.changes ? 'changes' : 'dates');
    }
  });

  it('never lists a window on an index older than INDEX_VERSION, whatever the bank, state and time', () => {
    const day = fc
      .integer({ min: 0, max: 3_000 })
      .map((d) => new Date(Date.UTC(2020, 0, 1) + d * 86_400_000));
    const isoDay = day.map((d) => d.toISOString().slice(0, 10));
    fc.assert(
      fc.property(
        fc.record({ changes: fc.boolean(), dates: fc.boolean(), correctionHorizonDays: fc.nat(120) }),
        fc.record({
          changeToken: fc.option(fc.string({ minLength: 1 })),
          fullAt: day.map((d) => d.toISOString()),
          pendingFrom: fc.option(isoDay),
          newestDate: fc.option(isoDay),
          indexVersion: fc.option(fc.integer({ min: 0, max: INDEX_VERSION - 1 }), { nil: undefined }),
        }),
        day,
        (bank, legacy, now) => {
          expect(chooseListing(bank, legacy, now, false)).toEqual({ kind: 'all' });
        },
      ),
    );
  });

  it('asks a cursor bank for what changed since its token', () => {
    expect(chooseListing(cursorBank, state(), NOW, false)).toEqual({ kind: 'changes', since: 'tok' });
  });

  it('starts a date window at the horizon or the oldest pending, whichever is earlier, less the margin', () => {
    expect(chooseListing(windowBank, state(), NOW, false)).toEqual({
      kind: 'dates',
      from: '2026-03-29',
      to: '2026-05-04',
    });
    expect(chooseListing(windowBank, state({ pendingFrom: '2026-02-10' }), NOW, false)).toMatchObject({
      from: '2026-02-07',
    });
    // A bank whose newest date is behind our today: the horizon counts back from it.
    expect(chooseListing(windowBank, state({ newestDate: '2026-03-01' }), NOW, false)).toMatchObject({
      from: '2026-01-27',
    });
  });
});

describe('storedScope', () => {
  const r = (id: string, date: string, pendingTxnId: string | null = null) =>
    ({ providerTxnId: id, date, pendingTxnId }) as BankTransaction;
  it('reads everything for a full listing, and the window, dates and bank ids otherwise', () => {
    expect(storedScope({ kind: 'all' }, [r('a', '2026-04-01')], [])).toBeNull();
    expect(storedScope({ kind: 'changes', since: 't' }, [r('b', '2026-04-02', 'a')], ['x'])).toEqual({
      from: null,
      dates: ['2026-04-02'],
      bankIds: ['a', 'b', 'x'],
    });
    expect(
      storedScope({ kind: 'dates', from: '2026-03-01', to: '2026-05-04' }, [r('c', '2026-01-05')], []),
    ).toEqual({ from: '2026-03-01', dates: ['2026-01-05'], bankIds: ['c'] });
  });
});
