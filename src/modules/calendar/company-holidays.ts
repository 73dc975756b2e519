/**
 * The operator's own closed days that repeat every year (会社休業日). One-off closures (a
 * move, a system migration) go in CALENDAR_EXTRA_CLOSED_DAYS instead, so they need no release.
 * A range may cross the new year: 12-29 → 01-03 closes Dec 29–31 and Jan 1–3 of every year.
 */
export interface RecurringClosure {
  from: string; // MM-DD, first closed day
  to: string; // MM-DD, last closed day (inclusive)
  name: string;
  nameEn: string;
}

export const COMPANY_CLOSURES: readonly RecurringClosure[] = [
  { from: '12-29', to: '01-03', name: '年末年始休業', nameEn: 'Year-end holidays' },
];

/** The name shown for a day closed through CALENDAR_EXTRA_CLOSED_DAYS. */
export const EXTRA_CLOSED = { name: '臨時休業', nameEn: 'Closed' } as const;

/** The closure covering month/day, if any. */
export function companyClosureOn(month: number, day: number): RecurringClosure | undefined {
  const key = month * 100 + day;
  return COMPANY_CLOSURES.find((c) => {
    const from = monthDayKey(c.from);
    const to = monthDayKey(c.to);
    return from <= to ? key >= from && key <= to : key >= from || key <= to;
  });
}

function monthDayKey(mmdd: string): number {
  const [m, d] = mmdd.split('-').map(Number);
  return m * 100 + d;
}
