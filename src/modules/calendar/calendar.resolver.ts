import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import type { Context } from '../../app/context';
import { BusinessMonth } from './calendar.types';

/** Public: the site's business calendar (営業カレンダー) needs no sign-in. */
@Resolver()
export class CalendarResolver {
  @Query(() => BusinessMonth, {
    description: 'The business calendar of one month (JST): open days are when staff confirm bank transfers.',
  })
  businessCalendar(
    @Arg('year', () => Int, { description: 'The year, e.g. 2026.' }) year: number,
    @Arg('month', () => Int, { description: '1–12' }) month: number,
    @Ctx() ctx: Context,
  ): BusinessMonth {
    return ctx.app.calendar.month(year, month);
  }

  @Query(() => Date, {
    description: 'When a bank transfer reported now can be expected to be confirmed (open hours of open days only).',
  })
  transferConfirmationEstimate(@Ctx() ctx: Context): Date {
    return ctx.app.calendar.transferConfirmationEstimate();
  }
}
