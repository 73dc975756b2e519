import { ConfigError, loadConfig } from '../src/app/config';
import { startTestGateway, type TestGateway } from './support/gateway';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw.close());

const CALENDAR = `query($year: Int!, $month: Int!) {
  businessCalendar(year: $year, month: $month) {
    year month opensAt closesAt publicHolidaysListed
    days { date open reason holidayName holidayNameEn }
  }
}`;
const ESTIMATE = `{ transferConfirmationEstimate }`;

/** A JST wall-clock time as an instant, e.g. jst('2026-04-10 17:30'). */
const jst = (local: string) => new Date(`${local.replace(' ', 'T')}:00+09:00`);

async function month(year: number, m: number, g: TestGateway = gw) {
  const res = await g.gql(CALENDAR, { year, month: m });
  expect(res.errors).toBeUndefined();
  return res.data.businessCalendar as { days: { date: string; open: boolean; reason: string | null; holidayName: string | null }[] } & Record<string, unknown>;
}

async function estimateAt(reportedAt: Date, g: TestGateway = gw): Promise<Date> {
  g.clock.set(reportedAt);
  const res = await g.gql(ESTIMATE);
  expect(res.errors).toBeUndefined();
  return new Date(res.data.transferConfirmationEstimate);
}

const dayOf = <D extends { date: string }>(days: D[], date: string) => days.find((d) => d.date === date);

describe('businessCalendar (anyone, no sign-in)', () => {
  it('closes weekends and public holidays and opens ordinary weekdays', async () => {
    const { days } = await month(2026, 4);
    expect(days).toHaveLength(30);
    expect(dayOf(days, '2026-04-08')).toEqual({ date: '2026-04-08', open: true, reason: null, holidayName: null, holidayNameEn: null });
    expect(dayOf(days, '2026-04-11')).toMatchObject({ open: false, reason: 'WEEKEND', holidayName: null }); // Saturday
    expect(dayOf(days, '2026-04-12')).toMatchObject({ open: false, reason: 'WEEKEND' }); // Sunday
    expect(dayOf(days, '2026-04-29')).toMatchObject({ open: false, reason: 'PUBLIC_HOLIDAY', holidayName: '昭和の日', holidayNameEn: 'Showa Day' });
  });

  it('lists Golden Week 2026 with the substitute holiday for Sunday 5/3', async () => {
    const may = await month(2026, 5);
    expect(may).toMatchObject({ year: 2026, month: 5, opensAt: '10:00', closesAt: '18:00', publicHolidaysListed: true });
    expect(may.days.slice(0, 7).map((d) => [d.date, d.open, d.reason, d.holidayName])).toEqual([
      ['2026-05-01', true, null, null], // Friday
      ['2026-05-02', false, 'WEEKEND', null],
      ['2026-05-03', false, 'PUBLIC_HOLIDAY', '憲法記念日'], // Sunday
      ['2026-05-04', false, 'PUBLIC_HOLIDAY', 'みどりの日'],
      ['2026-05-05', false, 'PUBLIC_HOLIDAY', 'こどもの日'],
      ['2026-05-06', false, 'PUBLIC_HOLIDAY', '振替休日'],
      ['2026-05-07', true, null, null],
    ]);
    expect(may.days).toHaveLength(31);
    // 31 days − 10 weekend days − 3 weekday holidays (4, 5, 6)
    expect(may.days.filter((d) => d.open)).toHaveLength(18);
  });

  it('shows the citizens’ holiday of Silver Week 2026 and the substitute holiday of March 2027', async () => {
    const september = await month(2026, 9);
    expect(['21', '22', '23'].map((d) => dayOf(september.days, `2026-09-${d}`)!.holidayName)).toEqual(['敬老の日', '国民の休日', '秋分の日']);
    const march = await month(2027, 3);
    expect(dayOf(march.days, '2027-03-21')).toMatchObject({ open: false, reason: 'PUBLIC_HOLIDAY', holidayName: '春分の日' });
    expect(dayOf(march.days, '2027-03-22')).toMatchObject({ open: false, reason: 'PUBLIC_HOLIDAY', holidayName: '振替休日' });
  });

  it('closes the year-end holidays 12/29–1/3, naming the public holiday when both apply', async () => {
    const december = await month(2026, 12);
    expect(dayOf(december.days, '2026-12-28')).toMatchObject({ open: true });
    for (const d of ['29', '30', '31']) {
      expect(dayOf(december.days, `2026-12-${d}`)).toMatchObject({ open: false, reason: 'COMPANY_HOLIDAY', holidayName: '年末年始休業' });
    }
    const january = await month(2027, 1);
    expect(january.days.slice(0, 4).map((d) => [d.open, d.reason, d.holidayName])).toEqual([
      [false, 'PUBLIC_HOLIDAY', '元日'],
      [false, 'COMPANY_HOLIDAY', '年末年始休業'], // a Saturday, but the closure is the reason shown
      [false, 'COMPANY_HOLIDAY', '年末年始休業'],
      [true, null, null], // Monday 1/4
    ]);
    expect(dayOf(january.days, '2027-01-11')).toMatchObject({ reason: 'PUBLIC_HOLIDAY', holidayName: '成人の日' });
  });

  it('answers years without holiday data but says so', async () => {
    const later = await month(2028, 2);
    expect(later.publicHolidaysListed).toBe(false);
    expect(later.days).toHaveLength(29); // 2028 is a leap year
  });

  it.each([
    ['month 13', { year: 2026, month: 13 }, 'month'],
    ['month 0', { year: 2026, month: 0 }, 'month'],
    ['a year three away', { year: 2029, month: 1 }, 'year'],
    ['a year long past', { year: 1999, month: 1 }, 'year'],
  ])('refuses %s with BAD_USER_INPUT naming the argument', async (_label, vars, argument) => {
    const res = await gw.gql(CALENDAR, vars);
    expect(res.data).toBeNull();
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: [argument] });
    expect(res.errors![0].message).toMatch(new RegExp(`^${argument} must be`));
  });
});

describe('transferConfirmationEstimate: lead time counted in open hours (10:00–18:00 JST, 3 h)', () => {
  it.each([
    ['a weekday 11:00 report → 14:00 the same day', '2026-04-08 11:00', '2026-04-08 14:00'],
    ['a 03:00 report → opening + 3 h', '2026-04-08 03:00', '2026-04-08 13:00'],
    ['a report at closing time → the next day', '2026-04-08 18:00', '2026-04-09 13:00'],
    ['15:00, ending exactly at closing', '2026-04-08 15:00', '2026-04-08 18:00'],
    ['Friday 17:30 → 30 min now, 2 h 30 min on Monday', '2026-04-10 17:30', '2026-04-13 12:30'],
    ['Friday 17:30 before Marine Day → Tuesday', '2026-07-17 17:30', '2026-07-21 12:30'],
    ['Saturday (already Saturday in Tokyo, still Friday in UTC) → Monday', '2026-04-11 05:00', '2026-04-13 13:00'],
    ['Thursday 17:00 before Golden Week → Friday 12:00', '2026-04-30 17:00', '2026-05-01 12:00'],
    ['Friday evening of Golden Week → Thursday after it', '2026-05-01 19:00', '2026-05-07 13:00'],
    ['over the year end: 12/28 17:00 → 1/4 12:00', '2026-12-28 17:00', '2027-01-04 12:00'],
    ['on New Year’s Eve → 1/4 13:00', '2026-12-31 10:00', '2027-01-04 13:00'],
  ])('%s', async (_label, reported, expected) => {
    expect((await estimateAt(jst(reported))).toISOString()).toBe(jst(expected).toISOString());
  });

  it('is answered for anyone, in UTC ISO form', async () => {
    gw.clock.set(jst('2026-04-08 11:00'));
    const res = await gw.gql(ESTIMATE);
    expect(res.data.transferConfirmationEstimate).toBe('2026-04-08T05:00:00.000Z');
  });
});

describe('operator settings', () => {
  let custom: TestGateway;
  beforeAll(async () => {
    custom = await startTestGateway({
      CALENDAR_EXTRA_CLOSED_DAYS: '2026-04-15, 2026-04-15',
      CALENDAR_EXTRA_OPEN_DAYS: '2026-04-18,2026-04-29',
      CONFIRMATION_HOURS: '09:00-17:00',
      CONFIRMATION_LEAD_HOURS: '2',
    });
  });
  afterAll(() => custom.close());

  it('closes extra closed days and opens extra open days (a Saturday, a public holiday)', async () => {
    const april = await month(2026, 4, custom);
    expect(april).toMatchObject({ opensAt: '09:00', closesAt: '17:00' });
    expect(dayOf(april.days, '2026-04-15')).toMatchObject({ open: false, reason: 'COMPANY_HOLIDAY', holidayName: '臨時休業' });
    expect(dayOf(april.days, '2026-04-18')).toMatchObject({ open: true, reason: null });
    expect(dayOf(april.days, '2026-04-29')).toMatchObject({ open: true, reason: null, holidayName: '昭和の日' });
  });

  it('uses the configured hours and lead time', async () => {
    // 30 min on Tuesday; Wednesday is closed; 1 h 30 min from Thursday 09:00.
    expect((await estimateAt(jst('2026-04-14 16:30'), custom)).toISOString()).toBe(jst('2026-04-16 10:30').toISOString());
    // Friday 16:00: 1 h today, 1 h on the opened Saturday.
    expect((await estimateAt(jst('2026-04-17 16:00'), custom)).toISOString()).toBe(jst('2026-04-18 10:00').toISOString());
  });

  it.each([
    ['a date that does not exist', { CALENDAR_EXTRA_CLOSED_DAYS: '2026-02-30' }, /CALENDAR_EXTRA_CLOSED_DAYS: "2026-02-30" is not a date/],
    ['a date in another format', { CALENDAR_EXTRA_OPEN_DAYS: '2026/05/02' }, /CALENDAR_EXTRA_OPEN_DAYS: "2026\/05\/02" is not a date/],
    ['a day both open and closed', { CALENDAR_EXTRA_CLOSED_DAYS: '2026-05-02', CALENDAR_EXTRA_OPEN_DAYS: '2026-05-02' }, /CALENDAR_EXTRA_OPEN_DAYS: 2026-05-02 also listed in CALENDAR_EXTRA_CLOSED_DAYS/],
    ['closing before opening', { CONFIRMATION_HOURS: '18:00-10:00' }, /CONFIRMATION_HOURS: "18:00-10:00" is not a range of JST hours/],
    ['hours without minutes', { CONFIRMATION_HOURS: '10-18' }, /CONFIRMATION_HOURS/],
    ['a negative lead time', { CONFIRMATION_LEAD_HOURS: '-1' }, /CONFIRMATION_LEAD_HOURS/],
  ])('refuses to start with %s, naming the variable', (_label, env, message) => {
    expect(() => loadConfig({ NODE_ENV: 'test', ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'test', ...env })).toThrow(message);
  });
});
