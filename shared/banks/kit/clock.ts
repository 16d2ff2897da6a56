import * as z from 'zod';

/**
 * A bank's own clock: real time shifted by an offset, or frozen at an instant. Everything a bank does "as of now"
 * (which life-cycle events have happened, token and code expiry) reads this clock, so a test can move one bank
 * days ahead and watch pending transactions post, and its tokens expire.
 */
export interface ClockState {
  offsetMs: number;
  /** RFC 3339; when set, the clock stands still there. */
  frozenAt: string | null;
}

export const REAL_TIME: ClockState = { offsetMs: 0, frozenAt: null };

export function bankNow(state: ClockState, realNow: Date): Date {
  return state.frozenAt ? new Date(state.frozenAt) : new Date(realNow.getTime() + state.offsetMs);
}

/** `POST /admin/clock` body. Applied in this order: reset, set, freeze, advance. */
export const ClockChangeSchema = z
  .object({
    /** Back to real time, unfrozen. */
    reset: z.boolean().optional(),
    /** Jump to this instant. */
    set: z.iso.datetime({ offset: true }).optional(),
    /** true: stand still; false: tick again from where it stands. */
    freeze: z.boolean().optional(),
    advance_ms: z
      .number()
      .int()
      .min(-10 * 365 * 86_400_000)
      .max(10 * 365 * 86_400_000)
      .optional(),
    advance_days: z.number().min(-3660).max(3660).optional(),
  })
  .strict();

export type ClockChange = z.output<typeof ClockChangeSchema>;

export function applyClockChange(current: ClockState, change: ClockChange, realNow: Date): ClockState {
  let next: ClockState = change.reset ? REAL_TIME : { ...current };
  if (change.set) {
    const target = new Date(change.set).getTime();
    next = next.frozenAt
      ? { offsetMs: 0, frozenAt: new Date(target).toISOString() }
      : { offsetMs: target - realNow.getTime(), frozenAt: null };
  }
  if (change.freeze === true && !next.frozenAt) {
    next = { offsetMs: 0, frozenAt: bankNow(next, realNow).toISOString() };
  } else if (change.freeze === false && next.frozenAt) {
    next = { offsetMs: new Date(next.frozenAt).getTime() - realNow.getTime(), frozenAt: null };
  }
  const advance = (change.advance_ms ?? 0) + Math.round((change.advance_days ?? 0) * 86_400_000);
  if (advance) {
    next = next.frozenAt
      ? { offsetMs: 0, frozenAt: new Date(new Date(next.frozenAt).getTime() + advance).toISOString() }
      : { offsetMs: next.offsetMs + advance, frozenAt: null };
  }
  return next;
}

export function describeClock(state: ClockState, realNow: Date) {
  return {
    now: bankNow(state, realNow).toISOString(),
    frozen: state.frozenAt !== null,
    offset_ms: state.offsetMs,
  };
}
