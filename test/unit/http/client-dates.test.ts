import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dayNumber, isoDate, MAX_YEAR, MIN_YEAR } from '../../../shared/domain/stats';
import { clientDate, clientInstant, maxClientDate, MIN_CLIENT_DATE } from '../../../shared/http/schemas';
import { ManualClock } from '../../../shared/ports/clock';

const clock = new ManualClock('2026-03-15T12:00:00Z');
const ClientDate = clientDate(() => clock);
const ClientInstant = clientInstant(() => clock);
const pad = (n: number, w: number) => String(n).padStart(w, '0');

describe('a date a client sends', () => {
  it.each(['1970-01-01', '2000-02-29', '2026-03-15', '2027-03-15'])('accepts %s', (d) => {
    expect(ClientDate.safeParse(d).success).toBe(true);
  });

  it.each([
    ['0000-01-01', 'from 1970-01-01 to 2027-03-15'],
    ['1969-12-31', 'from 1970-01-01 to 2027-03-15'],
    ['2027-03-16', 'from 1970-01-01 to 2027-03-15'],
    ['9999-12-31', 'from 1970-01-01 to 2027-03-15'],
    ['2026-02-29', 'must be a date YYYY-MM-DD'],
    ['2026-04-31', 'must be a date YYYY-MM-DD'],
    ['2026-13-01', 'must be a date YYYY-MM-DD'],
    ['+02026-01-01', 'must be a date YYYY-MM-DD'],
    ['2026-1-1', 'must be a date YYYY-MM-DD'],
  ])('refuses %s', (d, message) => {
    const r = ClientDate.safeParse(d);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toContain(message);
  });

  it('reads the clock on every parse, not once', () => {
    const moving = new ManualClock('2026-03-15T12:00:00Z');
    const schema = clientDate(() => moving);
    expect(schema.safeParse('2027-06-01').success).toBe(false);
    moving.set('2026-07-01T00:00:00Z');
    expect(schema.safeParse('2027-06-01').success).toBe(true);
  });

  it('a year on from 29 February is 1 March', () => {
    expect(maxClientDate(new Date('2028-02-29T23:59:59Z'))).toBe('2029-03-01');
    expect(maxClientDate(new Date('2026-12-31T00:00:00Z'))).toBe('2027-12-31');
  });

  it('accepts exactly the real calendar dates from 1970-01-01 to a year after the clock (property)', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1971-01-01T00:00:00Z'),
          max: new Date('2400-01-01T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        (now, y, m, d) => {
          const text = `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
          const at = new Date(0);
          at.setUTCFullYear(y, m - 1, d);
          const real = m >= 1 && m <= 12 && d >= 1 && at.getUTCMonth() === m - 1 && at.getUTCDate() === d;
          const oneYearOn = new Date(0);
          oneYearOn.setUTCFullYear(now.getUTCFullYear() + 1, now.getUTCMonth(), now.getUTCDate());
          const inRange = at.getTime() >= Date.UTC(1970, 0, 1) && at.getTime() <= oneYearOn.getTime();
          const schema = clientDate(() => new ManualClock(now));
          expect(schema.safeParse(text).success).toBe(real && inRange);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('an instant (alerts since) is in the same range', () => {
    expect(ClientInstant.safeParse('2026-03-01T00:00:00Z').success).toBe(true);
    expect(ClientInstant.safeParse('1970-01-01T00:00:00+00:00').success).toBe(true);
    expect(ClientInstant.safeParse('2027-03-15T23:59:59Z').success).toBe(true);
    for (const bad of [
      '0000-01-01T00:00:00Z',
      '1969-12-31T23:59:59Z',
      '1970-01-01T00:00:00+01:00',
      '2027-03-16T00:00:00Z',
      '9999-12-31T23:00:00-05:00',
      '2026-02-30T00:00:00Z',
    ]) {
      expect(ClientInstant.safeParse(bad).success, bad).toBe(false);
    }
  });
});

describe('the domain reads and writes only years it can spell', () => {
  it('refuses year 0 and anything not YYYY-MM-DD, instead of mis-formatting', () => {
    expect(() => dayNumber('0000-01-01')).toThrow(RangeError);
    expect(() => dayNumber('00-2-12-01')).toThrow(RangeError);
    expect(() => isoDate(dayNumber('0001-01-01') - 1)).toThrow(/out of range/);
    expect(() => isoDate(dayNumber('9999-12-31') + 1)).toThrow(/out of range/);
    expect(() => isoDate(Number.NaN)).toThrow(RangeError);
    expect(isoDate(dayNumber('0001-01-01'))).toBe('0001-01-01');
  });

  it('dayNumber and isoDate round-trip every date of years 1-9999, and isoDate refuses every other day (property)', () => {
    const first = dayNumber(`${pad(MIN_YEAR, 4)}-01-01`);
    const last = dayNumber(`${MAX_YEAR}-12-31`);
    fc.assert(
      fc.property(fc.integer({ min: first - 1_000_000, max: last + 1_000_000 }), (days) => {
        if (days < first || days > last) {
          expect(() => isoDate(days)).toThrow(RangeError);
          return;
        }
        const text = isoDate(days);
        expect(text).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(dayNumber(text)).toBe(days);
      }),
    );
  });
});

it('MIN_CLIENT_DATE is a date the domain reads', () => {
  expect(isoDate(dayNumber(MIN_CLIENT_DATE))).toBe(MIN_CLIENT_DATE);
});
