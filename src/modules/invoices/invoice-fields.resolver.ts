import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../../app/context';
import { preparedQuery } from '../../app/data-source';
import { wasRead } from '../../app/row-json';
import { Invoice, InvoiceLine, type StoredInvoiceLine } from './invoice.entity';
import { isOverdue } from './invoice-money';

@Resolver(() => Invoice)
export class InvoiceFieldsResolver {
  @FieldResolver(() => [InvoiceLine], { description: 'What each amount is for; they add up to `total`.' })
  async lines(@Root() invoice: Invoice, @Ctx() ctx: Context): Promise<InvoiceLine[]> {
    // A page of orders reads invoices without their lines (orders/order-read-model.ts).
    const stored = wasRead(invoice, 'storedLines') ? invoice.storedLines : await storedLinesOf(ctx, invoice.id);
    return stored.map(InvoiceLine.from);
  }

  @FieldResolver(() => Boolean, { description: 'Open past its due date: unpaid, or its payment still being confirmed (staff decide it before it can be cancelled).' })
  overdue(@Root() invoice: Invoice, @Ctx() ctx: Context): boolean {
    return isOverdue(invoice, ctx.app.clock.now());
  }
}

/** The stored lines of each invoice: one statement for all the invoices a request shows. */
function storedLinesOf(ctx: Context, invoiceId: string): Promise<StoredInvoiceLine[]> {
  return ctx.loaders
    .get<string, StoredInvoiceLine[]>('invoice.lines', async (ids) => {
      const rows = await preparedQuery<{ id: string; lines: StoredInvoiceLine[] }>(ctx.app.ds, 'SELECT id, lines FROM invoice WHERE id = ANY($1)', [ids]);
      const byId = new Map(rows.map((r) => [r.id, r.lines]));
      return ids.map((id) => byId.get(id) ?? []);
    })
    .load(invoiceId);
}
