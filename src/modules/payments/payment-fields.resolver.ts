import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../../app/context';
import { In } from 'typeorm';
import { Deposit } from '../deposits/deposit.inputs';
import { Invoice } from '../invoices/invoice.entity';
import { orderById } from '../orders/order-loaders';
import { Order } from '../orders/order.entity';
import { Payment } from './payment.entity';
import { invoiceById, paymentsOfInvoice, paymentsOfOrder } from './payment-loaders';
import { LIVE_PAYMENT_STATUSES, PaymentMethod, PaymentPurpose, PaymentStatus } from './payment-state';
import { BankTransferInstructions, bankTransferInstructions } from './bank-transfer-instructions';

@Resolver(() => Order)
export class OrderPaymentsResolver {
  @FieldResolver(() => [Payment], { description: 'Every payment towards this order’s invoices, oldest first, whatever its status.' })
  payments(@Root() order: Order, @Ctx() ctx: Context): Promise<Payment[]> {
    return paymentsOfOrder(ctx, order.id);
  }
}

@Resolver(() => Invoice)
export class InvoicePaymentsResolver {
  @FieldResolver(() => [Payment], { description: 'Payments of this invoice, oldest first; settled ones add up to `amountPaid`.' })
  payments(@Root() invoice: Invoice, @Ctx() ctx: Context): Promise<Payment[]> {
    return paymentsOfInvoice(ctx, invoice.id);
  }
}

@Resolver(() => Payment)
export class PaymentFieldsResolver {
  @FieldResolver(() => Order, { nullable: true, description: 'The order paid for (null for a deposit top-up).' })
  order(@Root() payment: Payment, @Ctx() ctx: Context): Promise<Order | null> {
    return payment.orderId ? orderById(ctx, payment.orderId) : Promise.resolve(null);
  }

  @FieldResolver(() => Invoice, { nullable: true, description: 'The invoice paid (null for a deposit top-up).' })
  invoice(@Root() payment: Payment, @Ctx() ctx: Context): Promise<Invoice | null> {
    return payment.invoiceId ? invoiceById(ctx, payment.invoiceId) : Promise.resolve(null);
  }

  @FieldResolver(() => BankTransferInstructions, {
    nullable: true,
    description: 'BANK_TRANSFER only: where to send the money (振込先) and the reference to write with the payer name; null for other methods.',
  })
  async bankTransferInstructions(@Root() payment: Payment, @Ctx() ctx: Context): Promise<BankTransferInstructions | null> {
    if (payment.method !== PaymentMethod.BANK_TRANSFER) return null;
    const order = payment.orderId ? await orderById(ctx, payment.orderId) : null;
    return bankTransferInstructions(ctx.app.config.bankAccount, payment, order?.orderNumber ?? null);
  }
}

@Resolver(() => Deposit)
export class DepositTopUpsResolver {
  @FieldResolver(() => [Payment], { description: 'Top-ups not settled yet, oldest first: transfers to report or awaiting staff, card payments to complete.' })
  openTopUps(@Root() deposit: Deposit, @Ctx() ctx: Context): Promise<Payment[]> {
    return ctx.app.ds.getRepository(Payment).find({
      where: { accountId: deposit.accountId, purpose: PaymentPurpose.DEPOSIT_TOP_UP, status: In(LIVE_PAYMENT_STATUSES) },
      order: { seq: 'ASC' },
      take: 100,
    });
  }
}

@Resolver(() => Order)
export class OrderTransferEstimateResolver {
  @FieldResolver(() => Date, {
    description: 'If a bank transfer were reported now, when staff would be expected to confirm it (business days and hours; see businessCalendar).',
  })
  transferConfirmationExpectedAt(@Ctx() ctx: Context): Date {
    return ctx.app.calendar.nextConfirmationTime(ctx.app.clock.now());
  }
}
