import { z } from 'zod';
import { formatDay, parseDay, type DayNumber } from './jst-date';

/**
 * Environment settings of the business calendar, checked at start with the rest of the config
 * (src/app/config.ts). Kept here so the calendar's rules and their parsing change together.
 */

/** "2026-08-14,2026-08-15" → sorted, de-duplicated JST dates; every entry must be a real date. */
export const dayListSetting = z
  .string()
  .default('')
  .transform((text, ctx): string[] => {
    const days = new Set<DayNumber>();
    for (const raw of text.split(',').map((s) => s.trim()).filter(Boolean)) {
      const day = parseDay(raw);
      if (day === null) {
        ctx.addIssue({ code: 'custom', message: `"${raw}" is not a date: write comma-separated YYYY-MM-DD dates, e.g. 2026-08-14,2026-08-15` });
        return z.NEVER;
      }
      days.add(day);
    }
    return [...days].sort((a, b) => a - b).map(formatDay);
  });

export interface ConfirmationHours {
  /** Minutes after JST midnight when staff start confirming transfers. */
  opensMinute: number;
  /** Minutes after JST midnight when they stop; a report at or after this waits for the next open day. */
  closesMinute: number;
}

const HOURS_RE = /^([01]\d|2[0-3]):([0-5]\d)\s*[-–~]\s*([01]\d|2[0-4]):([0-5]\d)$/;

/** "10:00-18:00" (JST) → minutes; opening must come before closing on the same day. */
export const confirmationHoursSetting = z
  .string()
  .default('10:00-18:00')
  .transform((text, ctx): ConfirmationHours => {
    const m = HOURS_RE.exec(text.trim());
    const opensMinute = m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
    const closesMinute = m ? Number(m[3]) * 60 + Number(m[4]) : NaN;
    if (!m || closesMinute > 24 * 60 || opensMinute >= closesMinute) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a range of JST hours: write HH:MM-HH:MM with opening before closing, e.g. 10:00-18:00` });
      return z.NEVER;
    }
    return { opensMinute, closesMinute };
  });

/** A date cannot be both forced open and forced closed. */
export function calendarProblems(c: { CALENDAR_EXTRA_CLOSED_DAYS: string[]; CALENDAR_EXTRA_OPEN_DAYS: string[] }): string[] {
  const closed = new Set(c.CALENDAR_EXTRA_CLOSED_DAYS);
  const both = c.CALENDAR_EXTRA_OPEN_DAYS.filter((d) => closed.has(d));
  return both.length
    ? [`  CALENDAR_EXTRA_OPEN_DAYS: ${both.join(', ')} also listed in CALENDAR_EXTRA_CLOSED_DAYS; a day is either open or closed`]
    : [];
}
