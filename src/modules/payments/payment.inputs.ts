import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { UserError } from '../../common/errors';
import { IDEMPOTENCY_KEY_MAX } from '../../common/idempotency';
import { MoneyInput } from '../../common/money';
import { Connection } from '../../common/pagination';
import { Invoice } from '../invoices/invoice.entity';
import { Order } from '../orders/order.entity';
import { GuestAccessInput } from '../orders/order.inputs';
import { Payment } from './payment.entity';
import { ExternalPaymentMethod } from './payment-state';

const KEY_DESCRIPTION =
  `1 to ${IDEMPOTENCY_KEY_MAX} visible ASCII characters, new for each payment the customer intends (a UUID), reused for its retries. ` +
  'A retry with the same key and input returns the first result and moves no money; the same key with another input is IDEMPOTENCY_KEY_REUSED.';

@InputType({ description: 'How to pay an invoice.' })
export class InvoicePayInput {
  @Field(() => ID, { description: 'A FIRST, SECOND or ADDITIONAL invoice of your own order.' })
  invoiceId: string;

  @Field({ defaultValue: true, description: 'Use the deposit balance first (default). false pays everything by `method`.' })
  useDeposit: boolean = true;

  @Field(() => ExternalPaymentMethod, { nullable: true, description: 'For what the deposit does not cover; may be left out when the deposit covers everything.' })
  method?: ExternalPaymentMethod | null;

  @Field({ description: KEY_DESCRIPTION })
  idempotencyKey: string;

  @Field(() => GuestAccessInput, { nullable: true, description: 'Guests (no token): the order number and phone. Guests have no deposit.' })
  guest?: GuestAccessInput | null;
}

@InputType({ description: 'A report that a bank transfer was sent (入金完了報告).' })
export class PaymentBankTransferReportInput {
  @Field(() => ID, { description: 'The BANK_TRANSFER payment (PENDING) that `invoicePay` or `depositTopUp` created.' })
  paymentId: string;

  @Field({ description: 'The payer name exactly as written on the transfer (katakana or latin), at most 100 characters.' })
  payerName: string;

  @Field(() => MoneyInput, { description: 'The amount transferred, in JPY.' })
  amount: MoneyInput;

  @Field({ description: 'The day of the transfer, YYYY-MM-DD; not in the future.' })
  transferDate: string;

  @Field(() => GuestAccessInput, { nullable: true, description: 'A guest’s proof of access; null when signed in.' })
  guest?: GuestAccessInput | null;
}

@InputType({ description: 'Staff: a reported transfer found on the bank statement.' })
export class PaymentConfirmInput {
  @Field(() => ID, { description: 'The REPORTED payment.' })
  paymentId: string;

  @Field(() => MoneyInput, { description: 'What the bank statement shows, in JPY. Less than due: the invoice stays open for the rest; more: the excess goes to the deposit.' })
  receivedAmount: MoneyInput;
}

@InputType({ description: 'Staff: a reported transfer that did not arrive.' })
export class PaymentRejectInput {
  @Field(() => ID, { description: 'The REPORTED payment.' })
  paymentId: string;

  @Field({ description: 'Shown to the customer, e.g. "No transfer under this name arrived by 4 April". At most 500 characters.' })
  reason: string;
}

@InputType({ description: 'A card payment the customer approved at PayPal.' })
export class PaymentCardCompleteInput {
  @Field(() => ID, { description: 'The CARD payment that `invoicePay` or `depositTopUp` created.' })
  paymentId: string;

  @Field(() => GuestAccessInput, { nullable: true, description: 'A guest’s proof of access; null when signed in.' })
  guest?: GuestAccessInput | null;
}

@InputType({ description: 'Money to add to your deposit.' })
export class DepositTopUpInput {
  @Field(() => MoneyInput, { description: 'JPY to add, 1 to 1,000,000 (PayPal’s limit per payment in Japan).' })
  amount: MoneyInput;

  @Field(() => ExternalPaymentMethod, { description: 'Bank transfer or card.' })
  method: ExternalPaymentMethod;

  @Field({ description: KEY_DESCRIPTION })
  idempotencyKey: string;
}

@ObjectType({ description: 'The payments made and the invoice after them, or userErrors.' })
export class InvoicePayPayload {
  @Field(() => [Payment], { nullable: true, description: 'The payments this call made: the deposit part and/or the rest (transfer or card).' })
  payments?: Payment[];

  @Field(() => Invoice, { nullable: true, description: 'After this payment: PAID when the deposit covered it, else OPEN with amountDue.' })
  invoice?: Invoice;

  @Field(() => Order, { nullable: true, description: 'The invoice’s order after the payment (its status moves on when the invoice is PAID); null when refused.' })
  order?: Order;

  @Field(() => String, { nullable: true, description: 'Card: open this to approve the payment at PayPal (its `total` includes the fee).' })
  approvalUrl?: string | null;

  @Field(() => [UserError], { description: 'Why the payment was refused; empty on success.' })
  userErrors: UserError[];
}

@ObjectType({ description: 'The payment after the change, with its invoice and order, or userErrors.' })
export class PaymentPayload {
  @Field(() => Payment, { nullable: true, description: 'The payment after the change; null when refused.' })
  payment?: Payment;

  @Field(() => Invoice, { nullable: true, description: 'The invoice paid (null for a deposit top-up).' })
  invoice?: Invoice | null;

  @Field(() => Order, { nullable: true, description: 'The order paid for, after the change; null for a top-up or when refused.' })
  order?: Order | null;

  @Field(() => [UserError], { description: 'Why the request was refused; empty on success.' })
  userErrors: UserError[];
}

@ObjectType({ description: 'The top-up payment, or userErrors.' })
export class DepositTopUpPayload {
  @Field(() => Payment, { nullable: true, description: 'The top-up payment: PENDING until the transfer is confirmed or the card captured; null when refused.' })
  payment?: Payment;

  @Field(() => String, { nullable: true, description: 'Card: open this to approve the payment at PayPal.' })
  approvalUrl?: string | null;

  @Field(() => [UserError], { description: 'Why the top-up was refused; empty on success.' })
  userErrors: UserError[];
}

@ObjectType({ description: 'A page of payments.' })
export class PaymentConnection extends Connection(Payment) {}
