import type { App } from '../../app/app';
import { DomainError, UserErrorCode } from '../../common/errors';
import { ClosedReason, type BusinessDay, type BusinessMonth } from './calendar.types';
import type { ConfirmationHours } from './calendar-config';
import { companyClosureOn, EXTRA_CLOSED } from './company-holidays';
import { HOLIDAY_YEARS, JP_HOLIDAYS, type JpHoliday } from './jp-holidays';
import {
  dayFromParts, daysInMonth, formatDay, jstDayOf, jstInstant, MINUTE_MS, parseDay, partsOf, weekdayOf, type DayNumber,
} from './jst-date';

/** Years either side of the current one that `month()` answers for. */
const YEAR_WINDOW = 2;
/** A search for the next open day gives up after this many days (a misconfiguration, not a wait). */
const MAX_SEARCH_DAYS = 366;

interface CalendarSettings {
  hours: ConfirmationHours;
  leadHours: number;
  extraClosedDays: string[];
  extraOpenDays: string[];
}

/**
 * The operator's business calendar: which JST days staff work (weekdays that are neither a
 * public nor a company holiday, adjusted by the CALENDAR_EXTRA_* settings), and when a
 * reported bank transfer can be expected to be confirmed.
 */
export class CalendarService {
  private readonly holidays = new Map<DayNumber, JpHoliday>();
  private readonly extraClosed: Set<DayNumber>;
  private readonly extraOpen: Set<DayNumber>;
  private readonly settings: CalendarSettings;

  constructor(private readonly app: App) {
    const c = app.config;
    this.settings = {
      hours: c.CONFIRMATION_HOURS,
      leadHours: c.CONFIRMATION_LEAD_HOURS,
      extraClosedDays: c.CALENDAR_EXTRA_CLOSED_DAYS,
      extraOpenDays: c.CALENDAR_EXTRA_OPEN_DAYS,
    };
    for (const holiday of JP_HOLIDAYS) this.holidays.set(parseDay(holiday.date)!, holiday);
    this.extraClosed = new Set(this.settings.extraClosedDays.map((d) => parseDay(d)!));
    this.extraOpen = new Set(this.settings.extraOpenDays.map((d) => parseDay(d)!));
    const thisYear = partsOf(jstDayOf(app.clock.now())).year;
    const missing = [thisYear, thisYear + 1].filter((y) => !HOLIDAY_YEARS.includes(y));
    if (missing.length) {
      app.log.warn({ years: missing }, 'no public-holiday list for these years: add them to src/modules/calendar/jp-holidays.ts');
    }
  }

  /** Whether staff work on the JST day of `date` (an instant, or a YYYY-MM-DD date). */
  isOpen(date: Date | string): boolean {
    return this.day(toDay(date)).open;
  }

  /**
   * Every day of a month, for the site's calendar. Refuses months outside 1–12 and years more
   * than two away from the current JST year (the holiday data could not answer them).
   */
  month(year: number, month: number): BusinessMonth {
    if (!Number.isInteger(month) || month < 1 || month > 12) {
      throw new DomainError(UserErrorCode.INVALID, `month must be from 1 to 12 (got ${month}).`, ['month']);
    }
    const thisYear = partsOf(jstDayOf(this.app.clock.now())).year;
    if (!Number.isInteger(year) || Math.abs(year - thisYear) > YEAR_WINDOW) {
      throw new DomainError(
        UserErrorCode.INVALID,
        `year must be from ${thisYear - YEAR_WINDOW} to ${thisYear + YEAR_WINDOW} (got ${year}).`,
        ['year'],
      );
    }
    const first = dayFromParts(year, month, 1);
    const days = Array.from({ length: daysInMonth(year, month) }, (_, i) => this.day(first + i));
    const { opensMinute, closesMinute } = this.settings.hours;
    return {
      year,
      month,
      days,
      opensAt: hhmm(opensMinute),
      closesAt: hhmm(closesMinute),
      publicHolidaysListed: HOLIDAY_YEARS.includes(year),
    };
  }

  /**
   * When staff can be expected to have confirmed a bank transfer reported at `reportedAt`:
   * CONFIRMATION_LEAD_HOURS of open hours later. Work hours count only inside the confirmation
   * hours of open days, so a report at 17:30 (closing 18:00, lead 3 h) uses 30 minutes today
   * and 2 h 30 min from the next open day's opening; a report before opening, after closing or
   * on a closed day starts counting at the next opening.
   */
  nextConfirmationTime(reportedAt: Date): Date {
    const { opensMinute, closesMinute } = this.settings.hours;
    let remainingMs = this.settings.leadHours * 60 * MINUTE_MS;
    let cursor = reportedAt.getTime();
    const firstDay = jstDayOf(reportedAt);
    for (let day = firstDay; day <= firstDay + MAX_SEARCH_DAYS; day++) {
      if (!this.day(day).open) continue;
      const opens = jstInstant(day, opensMinute).getTime();
      const closes = jstInstant(day, closesMinute).getTime();
      const start = Math.max(cursor, opens);
      if (start >= closes) continue;
      if (start + remainingMs <= closes) return new Date(start + remainingMs);
      remainingMs -= closes - start;
      cursor = closes;
    }
    throw new Error(`no open business day within ${MAX_SEARCH_DAYS} days of ${reportedAt.toISOString()}: check CALENDAR_EXTRA_CLOSED_DAYS`);
  }

  /** The confirmation time for a transfer reported now (shown on orders awaiting a transfer). */
  transferConfirmationEstimate(): Date {
    return this.nextConfirmationTime(this.app.clock.now());
  }

  private day(day: DayNumber): BusinessDay {
    const holiday = this.holidays.get(day);
    const { month, day: dom } = partsOf(day);
    const closure = this.extraClosed.has(day) ? EXTRA_CLOSED : companyClosureOn(month, dom);
    const weekday = weekdayOf(day);
    const reason = holiday
      ? ClosedReason.PUBLIC_HOLIDAY
      : closure
        ? ClosedReason.COMPANY_HOLIDAY
        : weekday === 0 || weekday === 6
          ? ClosedReason.WEEKEND
          : null;
    const open = reason === null || this.extraOpen.has(day);
    return {
      date: formatDay(day),
      open,
      reason: open ? null : reason,
      holidayName: holiday?.name ?? closure?.name ?? null,
      holidayNameEn: holiday?.nameEn ?? closure?.nameEn ?? null,
    };
  }
}

function toDay(date: Date | string): DayNumber {
  if (date instanceof Date) return jstDayOf(date);
  const day = parseDay(date);
  if (day === null) throw new Error(`not a YYYY-MM-DD date: ${date}`);
  return day;
}

function hhmm(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}
