import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';

/** Why a day is closed. When several apply, the most specific wins: holiday, company, weekend. */
export enum ClosedReason {
  WEEKEND = 'WEEKEND', // Saturday or Sunday
  PUBLIC_HOLIDAY = 'PUBLIC_HOLIDAY', // 国民の祝日, 振替休日 or 国民の休日
  COMPANY_HOLIDAY = 'COMPANY_HOLIDAY', // the operator's own closed days (year-end, one-off closures)
}
registerEnumType(ClosedReason, {
  name: 'ClosedReason',
  description: 'Why a business day is closed.',
  valuesConfig: {
    WEEKEND: { description: 'Saturday or Sunday.' },
    PUBLIC_HOLIDAY: { description: 'A Japanese public holiday, 振替休日 or 国民の休日.' },
    COMPANY_HOLIDAY: { description: 'The operator’s own closed day: year-end holidays (12/29–1/3) or a one-off closure.' },
  },
});

@ObjectType({ description: 'One JST calendar day of the business calendar (営業カレンダー).' })
export class BusinessDay {
  @Field({ description: 'The JST date, YYYY-MM-DD.' })
  date: string;

  @Field({ description: 'Whether staff confirm bank transfers on this day.' })
  open: boolean;

  @Field(() => ClosedReason, { nullable: true, description: 'Why the day is closed; null when open.' })
  reason: ClosedReason | null;

  @Field(() => String, {
    nullable: true,
    description: 'The holiday’s Japanese name (e.g. 憲法記念日, 年末年始休業); also set on a holiday the operator opens.',
  })
  holidayName: string | null;

  @Field(() => String, { nullable: true, description: 'The holiday’s English name.' })
  holidayNameEn: string | null;
}

@ObjectType({ description: 'A month of the business calendar.' })
export class BusinessMonth {
  @Field(() => Int, { description: 'The year, e.g. 2026.' })
  year: number;

  @Field(() => Int, { description: 'The month, 1–12.' })
  month: number;

  @Field(() => [BusinessDay], { description: 'Every day of the month, in order.' })
  days: BusinessDay[];

  @Field({ description: 'When staff start confirming transfers on an open day, JST HH:MM.' })
  opensAt: string;

  @Field({ description: 'When they stop, JST HH:MM.' })
  closesAt: string;

  @Field({ description: 'False when the gateway has no public-holiday list for this year: holidays are then not shown.' })
  publicHolidaysListed: boolean;
}
