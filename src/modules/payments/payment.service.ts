import { In, type EntityManager } from 'typeorm';
import type { App } from '../../app/app';
import { DomainError, UserErrorCode } from '../../common/errors';
import { idempotent } from '../../common/idempotency';
import { requireUuid } from '../../common/ids';
import { Currency, formatMinor, parseMoneyInput } from '../../common/money';
import { decodeCursor, pageSize, toConnection, type ConnectionShape } from '../../common/pagination';
import { mutation, type Payload } from '../../common/transaction';
import type { Account } from '../accounts/account.entity';
import { Invoice } from '../invoices/invoice.entity';
import { InvoiceKind, InvoiceStatus } from '../invoices/invoice-state';
import { Order } from '../orders/order.entity';
import { OrderStatus } from '../orders/order-state';
import { actorOf, type Actor } from '../orders/order-events';
import type { OrderAccess } from '../orders/order.service';
import { BankTransferService } from './bank-transfer.service';
import { cardFee, type CardFeeRule } from './card-fee';
import { CardPaymentService } from './card-payment.service';
import { lockInvoice } from './payment-access';
import { Payment } from './payment.entity';
import type { DepositTopUpInput, InvoicePayInput } from './payment.inputs';
import {
  createPayment, ExternalPaymentMethod, isMoneyOnItsWay, LIVE_PAYMENT_STATUSES, MONEY_ON_ITS_WAY_SQL, PaymentMethod, PaymentPurpose, PaymentStatus, transitionPayment,
} from './payment-state';
import { amountDue, refuseInvoicePayment } from '../invoices/invoice-money';
import { minBig, settle } from './settlement';

/** PayPal Japan's limit for one payment; also a sane bound for one top-up. */
export const TOP_UP_MAX_JPY = 1_000_000n;

export interface InvoicePayResult {
  payments: Payment[];
  invoice: Invoice;
  order: Order;
  approvalUrl: string | null;
}

/** How invoices are paid (deposit first, then transfer or card) and how deposits are topped up. */
export class PaymentService {
  readonly transfers: BankTransferService;
  readonly cards: CardPaymentService;

  constructor(private readonly app: App) {
    this.transfers = new BankTransferService(app);
    this.cards = new CardPaymentService(app);
  }

  get cardFeeRule(): CardFeeRule {
    return { percentBps: this.app.config.CARD_FEE_PERCENT_BPS, fixedJpy: BigInt(this.app.config.CARD_FEE_FIXED_JPY) };
  }

  /**
   * Pays a FIRST, SECOND or ADDITIONAL invoice of the caller's own order: the deposit first (unless
   * declined), the rest by bank transfer (awaiting the customer's report) or card (a PayPal
   * order to approve). A payment started earlier and not yet under way is replaced; a reported
   * transfer or a held card capture must be decided first (PAYMENT_IN_PROGRESS). Idempotent by
   * key. The card's PayPal order is created after the commit: if PayPal cannot be reached the
   * payments stay recorded and a retry with the same key fetches the approval URL.
   */
  async payInvoice(access: OrderAccess, input: InvoicePayInput): Promise<Payload<InvoicePayResult>> {
    const done = await mutation(this.app.ds, (tx) => this.payInTransaction(tx, access, input));
    if (!done.paymentIds) return { userErrors: done.userErrors };
    const payments = await this.app.ds.getRepository(Payment).find({ where: { id: In(done.paymentIds) }, order: { seq: 'ASC' } });
    const card = payments.find((p) => p.method === PaymentMethod.CARD);
    const providerError = card ? await this.cards.ensureProviderOrder(card) : null;
    const invoice = await this.app.ds.getRepository(Invoice).findOneByOrFail({ id: done.invoiceId! });
    const order = await this.app.ds.getRepository(Order).findOneByOrFail({ id: invoice.orderId });
    return { payments, invoice, order, approvalUrl: card?.approvalUrl ?? null, userErrors: providerError ? [providerError] : [] };
  }

  private async payInTransaction(tx: EntityManager, access: OrderAccess, input: InvoicePayInput) {
    const field = ['input', 'invoiceId'];
    const invoiceId = requireUuid(input.invoiceId, field, 'invoice');
    const orderIdOf = async () => (await tx.getRepository(Invoice).findOne({ where: { id: invoiceId }, select: { id: true, orderId: true } }))?.orderId;
    const order = await this.app.orders.lockVisible(tx, access, orderIdOf, field, 'invoice');
    const useDeposit = input.useDeposit !== false;
    const method = input.method ?? null;
    const at = this.app.clock.now();
    return idempotent(
      tx,
      {
        scope: access.viewer ? access.viewer.id : `guest:${order.id}`,
        operation: 'invoicePay',
        key: input.idempotencyKey,
        request: { invoiceId, useDeposit, method },
        now: at,
      },
      async () => {
        const invoice = await lockInvoice(tx, invoiceId);
        const actor = actorOf(access.viewer);
        await this.replaceStartedPayments(tx, order, invoice, actor, at);
        let due = amountDue(invoice);
        const created: Payment[] = [];
        const base = { purpose: PaymentPurpose.INVOICE, accountId: order.customerId, orderId: order.id, invoiceId: invoice.id };
        // A guest has no deposit; a customer's is locked after the order and invoice (the one lock order).
        if (useDeposit && order.customerId) {
          const take = minBig(await this.app.deposits.lockBalance(tx, order.customerId), due);
          if (take > 0n) {
            const payment = await createPayment(tx, { ...base, method: PaymentMethod.DEPOSIT, amountMinor: take, feeMinor: 0n }, { actor, at });
            await settle(tx, this.app, payment, take, { actor, at, order, invoice });
            created.push(payment);
            due -= take;
          }
        }
        if (due > 0n) {
          if (!method) {
            throw new DomainError(
              UserErrorCode.PAYMENT_METHOD_REQUIRED,
              `${formatMinor(due, Currency.JPY)} JPY remains after the deposit: choose BANK_TRANSFER or CARD.`,
              ['input', 'method'],
            );
          }
          created.push(await this.createExternal(tx, base, method, due, { actor, at }));
        }
        return { invoiceId: invoice.id, paymentIds: created.map((p) => p.id) };
      },
    );
  }

  /**
   * Payments started on this invoice but not under way (a transfer not reported, a card page
   * not completed) are cancelled: the customer changed their mind. Money on its way is not.
   */
  private async replaceStartedPayments(tx: EntityManager, order: Order, invoice: Invoice, actor: Actor, at: Date) {
    const live = await tx.getRepository(Payment).find({
      where: { invoiceId: invoice.id, status: In(LIVE_PAYMENT_STATUSES) },
      lock: { mode: 'pessimistic_write' },
    });
    const refusal = refuseInvoicePayment(order, invoice, live.some(isMoneyOnItsWay));
    if (refusal) throw refusal;
    for (const payment of live) {
      await transitionPayment(tx, payment, PaymentStatus.CANCELLED, {
        actor,
        at,
        changes: { failureReason: 'Replaced by a new payment of the invoice.' },
        data: { reason: 'REPLACED' },
      });
    }
  }

  private async createExternal(tx: EntityManager, base: Partial<Payment>, method: ExternalPaymentMethod, amount: bigint, move: { actor: Actor; at: Date }) {
    const card = method === ExternalPaymentMethod.CARD;
    return createPayment(
      tx,
      {
        ...base,
        method: card ? PaymentMethod.CARD : PaymentMethod.BANK_TRANSFER,
        amountMinor: amount,
        feeMinor: card ? cardFee(amount, this.cardFeeRule) : 0n,
        provider: card ? this.app.cardProvider.name : null,
      },
      move,
    );
  }

  /** A customer adds to their deposit by bank transfer (confirmed by staff) or card; credited when settled. */
  async topUp(viewer: Account, input: DepositTopUpInput): Promise<Payload<{ payment: Payment; approvalUrl: string | null }>> {
    const done = await mutation(this.app.ds, async (tx) => {
      const amount = parseMoneyInput(input.amount, Currency.JPY, ['input', 'amount']);
      if (amount < 1n || amount > TOP_UP_MAX_JPY) {
        throw new DomainError(UserErrorCode.INVALID, `A top-up is 1 to ${formatMinor(TOP_UP_MAX_JPY, Currency.JPY)} JPY.`, ['input', 'amount', 'amount']);
      }
      const at = this.app.clock.now();
      return idempotent(
        tx,
        { scope: viewer.id, operation: 'depositTopUp', key: input.idempotencyKey, request: { amount, method: input.method }, now: at },
        async () => {
          const base = { purpose: PaymentPurpose.DEPOSIT_TOP_UP, accountId: viewer.id, orderId: null, invoiceId: null };
          const payment = await this.createExternal(tx, base, input.method, amount, { actor: actorOf(viewer), at });
          return { paymentId: payment.id };
        },
      );
    });
    if (!done.paymentId) return { userErrors: done.userErrors };
    const payment = await this.app.ds.getRepository(Payment).findOneByOrFail({ id: done.paymentId });
    const providerError = payment.method === PaymentMethod.CARD ? await this.cards.ensureProviderOrder(payment) : null;
    return { payment, approvalUrl: payment.approvalUrl, userErrors: providerError ? [providerError] : [] };
  }

  /** Staff: reported transfers awaiting confirmation, oldest report first (first come, first served). */
  async awaitingConfirmation(first: number | undefined, after: string | null | undefined): Promise<ConnectionShape<Payment>> {
    const size = pageSize(first);
    const cursor = decodeCursor(after, 2);
    const qb = this.app.ds.getRepository(Payment).createQueryBuilder('p').where('p.status = :status', { status: PaymentStatus.REPORTED });
    if (cursor) qb.andWhere('(p.reported_at, p.id) > (:at, :id)', { at: new Date(String(cursor[0])), id: String(cursor[1]) });
    const rows = await qb.orderBy('p.reported_at', 'ASC').addOrderBy('p.id', 'ASC').limit(size + 1).getMany();
    return toConnection(rows, size, (p) => [p.reportedAt!.toISOString(), p.id]);
  }

  /** Payments of an invoice with money on its way (see `isMoneyOnItsWay`); used by the order rules. */
  async moneyOnItsWay(tx: EntityManager, invoiceId: string): Promise<number> {
    const [row]: { n: number }[] = await tx.query(`SELECT count(*)::int AS n FROM payment p WHERE p.invoice_id = $1 AND ${MONEY_ON_ITS_WAY_SQL}`, [invoiceId]);
    return row.n;
  }
}

