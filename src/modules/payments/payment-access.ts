import type { EntityManager } from 'typeorm';
import type { App } from '../../app/app';
import { isStaff } from '../../app/auth-checker';
import { DomainError, UserErrorCode } from '../../common/errors';
import { requireUuid } from '../../common/ids';
import { Invoice } from '../invoices/invoice.entity';
import { Order } from '../orders/order.entity';
import type { OrderAccess } from '../orders/order.service';
import { Payment } from './payment.entity';

export interface LockedPayment {
  payment: Payment;
  /** Null for a deposit top-up. */
  invoice: Invoice | null;
  order: Order | null;
}

/** A provider callback acts for nobody: it finds the payment by the provider's ids. */
export const SYSTEM_ACCESS = 'system' as const;

/**
 * Locks a payment for a change, with its order and invoice, in the one lock order used by every
 * payment path: order → invoice → payment (→ deposit, later, in `settle`). Someone else's
 * payment answers exactly like a missing one (NOT_FOUND). Staff may reach any payment.
 */
export async function lockPayment(
  tx: EntityManager,
  app: App,
  access: OrderAccess | typeof SYSTEM_ACCESS,
  paymentId: string,
  field = ['input', 'paymentId'],
): Promise<LockedPayment> {
  const id = requireUuid(paymentId, field, 'payment');
  const findRef = () => tx.getRepository(Payment).findOne({ where: { id }, select: { id: true, orderId: true, invoiceId: true, accountId: true } });
  let order: Order | null = null;
  let invoice: Invoice | null = null;
  // A guest's attempt is taken before the payment is looked up (`lockVisible`): a spent guest
  // budget answers alike for every id. A guest only ever reaches an order's payments.
  const guest = access !== SYSTEM_ACCESS && access.guest && !access.viewer;
  let ref = guest ? null : await findRef();
  if (guest) order = await app.orders.lockVisible(tx, access, async () => (ref = await findRef())?.orderId, field, 'payment');
  if (!ref) throw notFound(field);
  if (ref.orderId) {
    order ??=
      access === SYSTEM_ACCESS
        ? await tx.getRepository(Order).findOneOrFail({ where: { id: ref.orderId }, lock: { mode: 'pessimistic_write' } })
        : await app.orders.lockVisible(tx, access, ref.orderId, field, 'payment');
    invoice = await tx.getRepository(Invoice).findOneOrFail({ where: { id: ref.invoiceId! }, lock: { mode: 'pessimistic_write' } });
  } else if (access !== SYSTEM_ACCESS && !(access.viewer && (isStaff(access.viewer) || access.viewer.id === ref.accountId))) {
    throw notFound(field);
  }
  const payment = await tx.getRepository(Payment).findOneOrFail({ where: { id }, lock: { mode: 'pessimistic_write' } });
  return { payment, invoice, order };
}

/** The invoice an invoice payment is for, locked after its order (the caller holds the order). */
export async function lockInvoice(tx: EntityManager, invoiceId: string): Promise<Invoice> {
  return tx.getRepository(Invoice).findOneOrFail({ where: { id: invoiceId }, lock: { mode: 'pessimistic_write' } });
}

export function notFound(field: string[], what = 'payment') {
  return new DomainError(UserErrorCode.NOT_FOUND, `No such ${what}.`, field);
}
