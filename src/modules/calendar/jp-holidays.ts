/**
 * Japanese public holidays (国民の祝日 and 休日), as published by the Cabinet Office
 * (内閣府「国民の祝日について」, syukujitsu.csv). Written out rather than computed: the
 * equinox days are fixed each February by the government for the following year, and the law
 * changes now and then (e.g. the moved 2020/2021 Olympic holidays), so a formula would be
 * wrong exactly when it matters.
 *
 * Kinds:
 * - NATIONAL: a 国民の祝日 named in the law.
 * - SUBSTITUTE: 振替休日 — a holiday that falls on a Sunday moves to the next day that is
 *   not itself a holiday (2026-05-03 Sun → Wed 05-06, because 05-04 and 05-05 are holidays).
 * - CITIZENS: 国民の休日 — a weekday sandwiched between two holidays (2026-09-22).
 *
 * To add a year: copy the Cabinet Office list (the CSV names both added kinds just "休日"),
 * keep the dates in order, and add the year to HOLIDAY_YEARS. The weekday after each date is
 * there to check against a printed calendar.
 */
export type HolidayKind = 'NATIONAL' | 'SUBSTITUTE' | 'CITIZENS';

export interface JpHoliday {
  date: string; // YYYY-MM-DD, a JST calendar date
  name: string;
  nameEn: string;
  kind: HolidayKind;
}

const h = (date: string, name: string, nameEn: string, kind: HolidayKind = 'NATIONAL'): JpHoliday => ({ date, name, nameEn, kind });

/** Years whose list below is complete; other years show no public holidays. */
export const HOLIDAY_YEARS: readonly number[] = [2026, 2027];

export const JP_HOLIDAYS: readonly JpHoliday[] = [
  // 2026 (official: the equinox days were announced in the Official Gazette in February 2025)
  h('2026-01-01', '元日', "New Year's Day"), // Thu
  h('2026-01-12', '成人の日', 'Coming of Age Day'), // Mon, 2nd Monday of January
  h('2026-02-11', '建国記念の日', 'National Foundation Day'), // Wed
  h('2026-02-23', '天皇誕生日', "The Emperor's Birthday"), // Mon
  h('2026-03-20', '春分の日', 'Vernal Equinox Day'), // Fri
  h('2026-04-29', '昭和の日', 'Showa Day'), // Wed
  h('2026-05-03', '憲法記念日', 'Constitution Memorial Day'), // Sun
  h('2026-05-04', 'みどりの日', 'Greenery Day'), // Mon
  h('2026-05-05', 'こどもの日', "Children's Day"), // Tue
  h('2026-05-06', '振替休日', 'Substitute holiday (for Constitution Memorial Day)', 'SUBSTITUTE'), // Wed
  h('2026-07-20', '海の日', 'Marine Day'), // Mon, 3rd Monday of July
  h('2026-08-11', '山の日', 'Mountain Day'), // Tue
  h('2026-09-21', '敬老の日', 'Respect for the Aged Day'), // Mon, 3rd Monday of September
  h('2026-09-22', '国民の休日', "Citizens' holiday (between two holidays)", 'CITIZENS'), // Tue
  h('2026-09-23', '秋分の日', 'Autumnal Equinox Day'), // Wed
  h('2026-10-12', 'スポーツの日', 'Sports Day'), // Mon, 2nd Monday of October
  h('2026-11-03', '文化の日', 'Culture Day'), // Tue
  h('2026-11-23', '勤労感謝の日', 'Labour Thanksgiving Day'), // Mon

  // 2027 (equinox days per the Cabinet Office list; officially fixed in February 2026)
  h('2027-01-01', '元日', "New Year's Day"), // Fri
  h('2027-01-11', '成人の日', 'Coming of Age Day'), // Mon, 2nd Monday of January
  h('2027-02-11', '建国記念の日', 'National Foundation Day'), // Thu
  h('2027-02-23', '天皇誕生日', "The Emperor's Birthday"), // Tue
  h('2027-03-21', '春分の日', 'Vernal Equinox Day'), // Sun
  h('2027-03-22', '振替休日', 'Substitute holiday (for Vernal Equinox Day)', 'SUBSTITUTE'), // Mon
  h('2027-04-29', '昭和の日', 'Showa Day'), // Thu
  h('2027-05-03', '憲法記念日', 'Constitution Memorial Day'), // Mon
  h('2027-05-04', 'みどりの日', 'Greenery Day'), // Tue
  h('2027-05-05', 'こどもの日', "Children's Day"), // Wed
  h('2027-07-19', '海の日', 'Marine Day'), // Mon, 3rd Monday of July
  h('2027-08-11', '山の日', 'Mountain Day'), // Wed
  h('2027-09-20', '敬老の日', 'Respect for the Aged Day'), // Mon, 3rd Monday of September
  h('2027-09-23', '秋分の日', 'Autumnal Equinox Day'), // Thu
  h('2027-10-11', 'スポーツの日', 'Sports Day'), // Mon, 2nd Monday of October
  h('2027-11-03', '文化の日', 'Culture Day'), // Wed
  h('2027-11-23', '勤労感謝の日', 'Labour Thanksgiving Day'), // Tue
];
