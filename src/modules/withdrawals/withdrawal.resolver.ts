import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../app/context';
import { PageArgs, type ConnectionShape } from '../../common/pagination';
import { mutation } from '../../common/transaction';
import { Role } from '../accounts/account.entity';
import { Deposit } from '../deposits/deposit.inputs';
import { Order } from '../orders/order.entity';
import { BankAccountDetails } from './bank-account';
import { Withdrawal } from './withdrawal.entity';
import {
  DepositWithdrawalCompleteInput, DepositWithdrawalPayload, DepositWithdrawalRejectInput, DepositWithdrawalRequestInput, WithdrawalBankAccountSetInput,
  WithdrawalConnection, WithdrawalPayload, WithdrawalsFilter,
} from './withdrawal.inputs';

@Resolver(() => Withdrawal)
export class WithdrawalResolver {
  @Authorized(Role.STAFF)
  @Query(() => WithdrawalConnection, {
    description:
      'Staff: payouts to bank accounts, oldest first. The default filter (REQUESTED) is the WITHDRAWAL queue; `awaitingBankAccount: false` leaves out those still ' +
      'waiting for the customer’s account details. Withdrawals are not orders, so this queue is not in `orders(filter: { awaiting })`.',
  })
  withdrawals(
    @Arg('filter', () => WithdrawalsFilter, { nullable: true, description: 'Which payouts; null for the default (REQUESTED).' }) filter: WithdrawalsFilter | null,
    @Args() page: PageArgs,
    @Ctx() ctx: Context,
  ): Promise<ConnectionShape<Withdrawal>> {
    return ctx.app.withdrawals.list(filter, page.first, page.after);
  }

  @Mutation(() => DepositWithdrawalPayload, {
    description:
      'Customer: withdraw part of the deposit to a Japanese bank account. The amount (at most the balance) is held at once, so it cannot be spent twice; ' +
      'staff transfer it and complete the withdrawal, or reject it and the amount returns to the deposit. Idempotent by `idempotencyKey`.',
  })
  depositWithdrawalRequest(@Arg('input', { description: 'The amount, the bank account and an idempotency key.' }) input: DepositWithdrawalRequestInput, @Ctx() ctx: Context): Promise<DepositWithdrawalPayload> {
    return mutation(ctx.app.ds, (tx) => ctx.app.withdrawals.request(tx, ctx.viewer, input));
  }

  @Authorized(Role.STAFF)
  @Mutation(() => WithdrawalPayload, { description: 'Staff: the money was transferred; records the transfer’s reference. Only a REQUESTED payout with a bank account.' })
  depositWithdrawalComplete(@Arg('input', { description: 'The payout and the transfer’s reference.' }) input: DepositWithdrawalCompleteInput, @Ctx() ctx: Context): Promise<WithdrawalPayload> {
    return mutation(ctx.app.ds, async (tx) => ({ withdrawal: await ctx.app.withdrawals.complete(tx, ctx.viewer!, input) }));
  }

  @Authorized(Role.STAFF)
  @Mutation(() => WithdrawalPayload, {
    description: 'Staff: the payout is not made, with a note to the customer. A customer’s held amount returns to the deposit; a guest’s refund payout is opened again for new account details.',
  })
  depositWithdrawalReject(@Arg('input', { description: 'The payout and why.' }) input: DepositWithdrawalRejectInput, @Ctx() ctx: Context): Promise<WithdrawalPayload> {
    return mutation(ctx.app.ds, async (tx) => ({ withdrawal: await ctx.app.withdrawals.reject(tx, ctx.viewer!, input) }));
  }

  @Mutation(() => WithdrawalPayload, {
    description:
      'Customer or guest: the bank account for a REQUESTED payout of theirs — a refund waiting for account details (`awaitingBankAccount`), or a correction before staff pay it.',
  })
  withdrawalBankAccountSet(@Arg('input', { description: 'The payout, the bank account, and a guest’s proof of access.' }) input: WithdrawalBankAccountSetInput, @Ctx() ctx: Context): Promise<WithdrawalPayload> {
    return mutation(ctx.app.ds, async (tx) => ({ withdrawal: await ctx.app.withdrawals.setBankAccount(tx, { viewer: ctx.viewer, ip: ctx.ip, guest: input.guest }, input) }));
  }
}

@Resolver(() => Deposit)
export class DepositWithdrawalsResolver {
  @FieldResolver(() => WithdrawalConnection, { description: 'Payouts to the customer’s bank accounts (withdrawals and refunds), newest first.' })
  withdrawals(@Root() deposit: Deposit, @Args() page: PageArgs, @Ctx() ctx: Context): Promise<ConnectionShape<Withdrawal>> {
    return ctx.app.withdrawals.listForAccount(deposit.accountId, page.first, page.after);
  }

  @FieldResolver(() => BankAccountDetails, { nullable: true, description: 'The bank account of the latest payout, to fill in the next one; refunds to a bank are paid there.' })
  lastBankAccount(@Root() deposit: Deposit, @Ctx() ctx: Context): Promise<BankAccountDetails | null> {
    return ctx.app.withdrawals.lastBankAccount(deposit.accountId);
  }
}

@Resolver(() => Order)
export class OrderWithdrawalsResolver {
  @FieldResolver(() => [Withdrawal], { description: 'Refunds of this order paid back to a bank account, oldest first (see `refunds` for card refunds).' })
  withdrawals(@Root() order: Order, @Ctx() ctx: Context): Promise<Withdrawal[]> {
    return ctx.loaders.get<string, Withdrawal[]>('order.withdrawals', (ids) => ctx.app.withdrawals.forOrders(ids)).load(order.id);
  }
}
