import { DAY_MS } from '../../common/clock';

/**
 * Calendar days as the business sees them: dates in Asia/Tokyo (UTC+9 all year; Japan has no
 * daylight saving time). A day is held as its "day number" (days since 1970-01-01 in JST), so
 * stepping and comparing days is integer arithmetic, and no code depends on the host's zone.
 */
export const JST_OFFSET_MS = 9 * 60 * 60 * 1000;
export const MINUTE_MS = 60 * 1000;

export type DayNumber = number;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The JST calendar day an instant falls on (e.g. 2026-05-01T15:30Z is 2026-05-02 in Tokyo). */
export function jstDayOf(instant: Date): DayNumber {
  return Math.floor((instant.getTime() + JST_OFFSET_MS) / DAY_MS);
}

/** The instant of `minute` minutes after JST midnight on `day`. */
export function jstInstant(day: DayNumber, minute: number): Date {
  return new Date(day * DAY_MS - JST_OFFSET_MS + minute * MINUTE_MS);
}

export function dayFromParts(year: number, month: number, day: number): DayNumber {
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

export function partsOf(day: DayNumber): { year: number; month: number; day: number } {
  const d = new Date(day * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(day: DayNumber): number {
  return new Date(day * DAY_MS).getUTCDay();
}

export function formatDay(day: DayNumber): string {
  const { year, month, day: d } = partsOf(day);
  return `${year}-${String(month).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Parses "YYYY-MM-DD", refusing dates that do not exist (2026-02-30); null when invalid. */
export function parseDay(text: string): DayNumber | null {
  const m = DATE_RE.exec(text.trim());
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1) return null;
  const n = dayFromParts(year, month, day);
  const back = partsOf(n);
  return back.year === year && back.month === month && back.day === day ? n : null;
}

export function daysInMonth(year: number, month: number): number {
  return dayFromParts(year, month + 1, 1) - dayFromParts(year, month, 1);
}
