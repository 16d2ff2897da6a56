import { dayNumber, isoDate } from '../../shared/domain/stats';

/**
 * The clock of the system under test, for tests that must agree with it on "today" (whatever the date, and under
 * faketime): the `Date` header of its answer (RFC 9110; API Gateway and the twin both send it), not this process's
 * calendar.
 */
export async function serverNow(baseUrl: string): Promise<Date> {
  const res = await fetch(`${baseUrl}/health`);
  await res.arrayBuffer();
  const header = res.headers.get('date');
  const at = header ? Date.parse(header) : NaN;
  if (Number.isNaN(at)) throw new Error(`GET /health answered without a usable Date header: ${header}`);
  return new Date(at);
}

/** The calendar day of an instant in a time zone, `YYYY-MM-DD`. */
export function dayIn(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone }).format(at);
}

/** `YYYY-MM-DD` plus n days (n may be negative). */
export function addDays(day: string, n: number): string {
  return isoDate(dayNumber(day) + n);
}
