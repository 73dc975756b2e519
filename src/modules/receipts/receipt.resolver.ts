import { Arg, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../../app/context';
import { Invoice } from '../invoices/invoice.entity';

@Resolver(() => Invoice)
export class InvoiceReceiptResolver {
  @FieldResolver(() => String, {
    nullable: true,
    description:
      'A paid invoice’s receipt (領収書) as a PDF: a signed link valid for 15 minutes (or send the bearer token to /receipts/<invoiceId>). ' +
      'It names the operator and its qualified-invoice registration number, the recipient, the date, what was paid for, the amounts per tax rate and the ' +
      'consumption tax (docs/receipts.md). Its number and content are fixed at the first download; later copies are the same document marked 再発行. Null until paid.',
  })
  receiptUrl(
    @Root() invoice: Invoice,
    @Arg('recipientName', () => String, { nullable: true, description: 'The name to address it to (宛名), e.g. a company; default the account’s name. Fixed once issued.' })
    recipientName: string | null,
    @Ctx() ctx: Context,
  ): Promise<string | null> {
    return ctx.app.receipts.url(ctx.origin, invoice, recipientName);
  }
}
