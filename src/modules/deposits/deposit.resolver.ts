import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../app/context';
import { isUuid } from '../../common/ids';
import { Money } from '../../common/money';
import { PageArgs, type ConnectionShape } from '../../common/pagination';
import { mutation } from '../../common/transaction';
import { Account, Role } from '../accounts/account.entity';
import type { DepositEntry } from './deposit-entry.entity';
import { Deposit, DepositAdjustInput, DepositAdjustPayload, DepositEntryConnection } from './deposit.inputs';

/** `Account.deposit`, and the staff look-up of an account by id. */
@Resolver(() => Account)
export class AccountDepositResolver {
  @FieldResolver(() => Deposit, {
    nullable: true,
    description: 'The prepaid balance and its history. Visible to the account itself and to staff.',
  })
  deposit(@Root() account: Account, @Ctx() ctx: Context): Promise<Deposit> {
    return ctx.app.deposits.view(ctx.viewer, account.id);
  }

  @Authorized(Role.STAFF)
  @Query(() => Account, { nullable: true, description: 'Staff: any account by id (e.g. to read a customer’s deposit); null if none.' })
  account(@Arg('id', () => ID, { description: 'The account’s id.' }) id: string, @Ctx() ctx: Context): Promise<Account | null> {
    if (!isUuid(id)) return Promise.resolve(null);
    return ctx.app.ds.getRepository(Account).findOne({ where: { id: id.toLowerCase() } });
  }
}

@Resolver(() => Deposit)
export class DepositResolver {
  @FieldResolver(() => DepositEntryConnection, { description: 'Newest first.' })
  entries(@Root() deposit: Deposit, @Args() page: PageArgs, @Ctx() ctx: Context): Promise<ConnectionShape<DepositEntry>> {
    return ctx.app.deposits.entries(deposit.accountId, page.first, page.after);
  }

  @Authorized(Role.STAFF)
  @Mutation(() => DepositAdjustPayload, {
    description: 'Staff: correct a customer’s deposit by a signed amount, with a note. Idempotent by `idempotencyKey`.',
  })
  depositAdjust(@Arg('input', { description: 'The customer, the signed amount, a note and an idempotency key.' }) input: DepositAdjustInput, @Ctx() ctx: Context): Promise<DepositAdjustPayload> {
    return mutation(ctx.app.ds, async (tx) => {
      const entry = await ctx.app.deposits.adjust(tx, ctx.viewer!, input);
      return { entry, balance: Money.jpy(entry.balanceAfterMinor) };
    });
  }
}
