import { Arg, Args, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { isStaff } from '../../app/auth-checker';
import type { Context } from '../../app/context';
import { forbidden, unauthenticated } from '../../common/errors';
import { PageArgs } from '../../common/pagination';
import { mutation } from '../../common/transaction';
import { Role } from '../accounts/account.entity';
import type { GuestAccessInput } from '../orders/order.inputs';
import type { OrderAccess } from '../orders/order.service';
import {
  DepositTopUpInput, DepositTopUpPayload, InvoicePayInput, InvoicePayPayload, PaymentBankTransferReportInput, PaymentCardCompleteInput,
  PaymentConfirmInput, PaymentConnection, PaymentPayload, PaymentRejectInput,
} from './payment.inputs';

/** The paying side is the customer (or guest) themself: staff never pay or report for them. */
function payer(ctx: Context, guest?: GuestAccessInput | null): OrderAccess {
  if (!ctx.viewer && !guest) throw unauthenticated('Sign in, or give the order number and phone (guest).');
  if (isStaff(ctx.viewer)) throw forbidden('Staff cannot pay or report payments for customers.');
  return { viewer: ctx.viewer, ip: ctx.ip, guest };
}

@Resolver()
export class PaymentResolver {
  @Mutation(() => InvoicePayPayload, {
    description:
      'Pay a FIRST, SECOND or ADDITIONAL invoice of your order: the deposit first (unless useDeposit: false), the rest by BANK_TRANSFER or CARD. ' +
      'For a card, open `approvalUrl` (the payment’s `total` includes the card fee), then call paymentCardComplete. Idempotent by key.',
  })
  invoicePay(@Arg('input', { description: 'The invoice, whether to use the deposit, the method for the rest, and an idempotency key.' }) input: InvoicePayInput, @Ctx() ctx: Context): Promise<InvoicePayPayload> {
    return ctx.app.payments.payInvoice(payer(ctx, input.guest), input);
  }

  @Mutation(() => PaymentPayload, { description: 'Report your bank transfer (入金完了報告): payer name as on the transfer, amount, day. Staff then confirm it.' })
  paymentBankTransferReport(@Arg('input', { description: 'The payment and what was transferred: payer name, amount, day.' }) input: PaymentBankTransferReportInput, @Ctx() ctx: Context): Promise<PaymentPayload> {
    const who = payer(ctx, input.guest);
    return mutation(ctx.app.ds, (tx) => ctx.app.payments.transfers.report(tx, who, input));
  }

  @Mutation(() => PaymentPayload, { description: 'Back from PayPal: capture the approved card payment and apply it. Safe to repeat.' })
  paymentCardComplete(@Arg('input', { description: 'The approved card payment.' }) input: PaymentCardCompleteInput, @Ctx() ctx: Context): Promise<PaymentPayload> {
    return ctx.app.payments.cards.complete(payer(ctx, input.guest), input);
  }

  @Authorized(Role.CUSTOMER)
  @Mutation(() => DepositTopUpPayload, { description: 'Add to your deposit by bank transfer (report it, staff confirm) or card. Idempotent by key.' })
  depositTopUp(@Arg('input', { description: 'The amount, the method and an idempotency key.' }) input: DepositTopUpInput, @Ctx() ctx: Context): Promise<DepositTopUpPayload> {
    return ctx.app.payments.topUp(ctx.viewer!, input);
  }

  @Authorized(Role.STAFF)
  @Mutation(() => PaymentPayload, { description: 'Staff: confirm a reported transfer with the amount received. Short: the invoice stays open for the rest; over: the excess goes to the deposit.' })
  paymentConfirm(@Arg('input', { description: 'The reported payment and the amount received.' }) input: PaymentConfirmInput, @Ctx() ctx: Context): Promise<PaymentPayload> {
    return mutation(ctx.app.ds, (tx) => ctx.app.payments.transfers.confirm(tx, ctx.viewer!, ctx.ip, input));
  }

  @Authorized(Role.STAFF)
  @Mutation(() => PaymentPayload, { description: 'Staff: reject a reported transfer that did not arrive, with a reason the customer sees.' })
  paymentReject(@Arg('input', { description: 'The reported payment and the reason.' }) input: PaymentRejectInput, @Ctx() ctx: Context): Promise<PaymentPayload> {
    return mutation(ctx.app.ds, (tx) => ctx.app.payments.transfers.reject(tx, ctx.viewer!, ctx.ip, input));
  }

  @Authorized(Role.STAFF)
  @Query(() => PaymentConnection, { description: 'Staff: reported bank transfers awaiting confirmation, oldest report first.' })
  paymentsAwaitingConfirmation(@Args(() => PageArgs) page: PageArgs, @Ctx() ctx: Context): Promise<PaymentConnection> {
    return ctx.app.payments.awaitingConfirmation(page.first, page.after);
  }
}
