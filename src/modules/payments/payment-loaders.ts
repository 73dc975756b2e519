import { In } from 'typeorm';
import type { Context } from '../../app/context';
import { groupBy } from '../../app/loaders';
import { Invoice } from '../invoices/invoice.entity';
import { Payment } from './payment.entity';

/** Every payment of each order, in the order they were made. One query per request. */
export function paymentsOfOrder(ctx: Context, orderId: string): Promise<Payment[]> {
  return ctx.loaders
    .get<string, Payment[]>('payment.byOrder', async (ids) => {
      const rows = await ctx.app.ds.getRepository(Payment).find({ where: { orderId: In([...ids]) }, order: { seq: 'ASC' } });
      return groupBy(ids, rows, (r) => r.orderId!);
    })
    .load(orderId);
}

export function paymentsOfInvoice(ctx: Context, invoiceId: string): Promise<Payment[]> {
  return ctx.loaders
    .get<string, Payment[]>('payment.byInvoice', async (ids) => {
      const rows = await ctx.app.ds.getRepository(Payment).find({ where: { invoiceId: In([...ids]) }, order: { seq: 'ASC' } });
      return groupBy(ids, rows, (r) => r.invoiceId!);
    })
    .load(invoiceId);
}

export function invoiceById(ctx: Context, invoiceId: string): Promise<Invoice | null> {
  return ctx.loaders
    .get<string, Invoice | null>('invoice.byId', async (ids) => {
      const rows = await ctx.app.ds.getRepository(Invoice).find({ where: { id: In([...ids]) } });
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    })
    .load(invoiceId);
}
