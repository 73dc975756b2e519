import { UserErrorCode, type UserError } from '../../common/errors';
import type { LimitName, RateLimits } from '../rate-limits';

/**
 * Sign-in with the failed-attempt limits (src/app/rate-limits.ts): per e-mail + address, per
 * e-mail, per address. Each attempt takes a point from all three before the password is
 * checked — so a burst of parallel guesses cannot all pass one check — and a success gives
 * them back (and clears this e-mail + address). A refused attempt counts against nothing
 * else, so an attacker already stopped on one account does not also spend its other budgets.
 */
export async function limitedLogin<T extends { userErrors: UserError[] }>(limits: RateLimits, email: string, ip: string, attempt: () => Promise<T>): Promise<T> {
  const account = email.trim().toLowerCase();
  const budgets: [LimitName, string][] = [
    ['loginEmailIp', `${account}|${ip}`],
    ['loginEmail', account],
    ['loginIp', ip],
  ];
  const taken = await Promise.allSettled(budgets.map(([name, key]) => limits.consume(name, key, 1, 'Too many failed sign-ins.')));
  const refusals = taken.flatMap((t) => (t.status === 'rejected' ? [t.reason] : []));
  if (refusals.length) {
    await Promise.all(budgets.filter((_, i) => taken[i].status === 'fulfilled').map(([name, key]) => limits.reward(name, key)));
    // The longest wait: the caller is refused until every spent budget has come back.
    throw refusals.sort((a, b) => Number(b?.extensions?.retryAfter ?? 0) - Number(a?.extensions?.retryAfter ?? 0))[0];
  }
  const result = await attempt();
  if (!result.userErrors.some((e) => e.code === UserErrorCode.INVALID_CREDENTIALS)) {
    await Promise.all([limits.reset(...budgets[0]), limits.reward(...budgets[1]), limits.reward(...budgets[2])]);
  }
  return result;
}
