import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import type { EntityManager } from 'typeorm';
import type { App } from '../../app/app';
import { isStaff } from '../../app/auth-checker';
import { DomainError, UserErrorCode } from '../../common/errors';
import { isUuid } from '../../common/ids';
import { inTransaction } from '../../common/transaction';
import { Account } from '../accounts/account.entity';
import { Invoice } from '../invoices/invoice.entity';
import { InvoiceStatus } from '../invoices/invoice-state';
import { OrderItem } from '../orders/order-item.entity';
import { Order } from '../orders/order.entity';
import { Payment } from '../payments/payment.entity';
import { PaymentMethod, PaymentStatus } from '../payments/payment-state';
import { renderReceiptPdf } from './receipt-pdf';
import { Receipt, receiptNumber } from './receipt.entity';
import { TaxClass, taxClassOf, taxSummary, type ReceiptContent, type ReceiptLine } from './receipt-tax';

export const RECIPIENT_MAX = 60;

const KIND_PURPOSE: Record<string, string> = {
  FIRST: '1次決済（商品代金・中国国内送料・代行手数料）',
  SECOND: '2次決済（国際送料ほか）',
  ADDITIONAL: '追加請求（販売者の価格変更）',
};
const METHOD_LABEL: Record<PaymentMethod, string> = { DEPOSIT: 'デポジット', BANK_TRANSFER: '銀行振込', CARD: 'クレジットカード' };
const jstDate = (d: Date) => new Intl.DateTimeFormat('ja-JP', { timeZone: 'Asia/Tokyo', year: 'numeric', month: 'long', day: 'numeric' }).format(d);

/**
 * Receipts (領収書) of paid invoices (docs/receipts.md). `Invoice.receiptUrl` gives a signed,
 * short-lived link (like attachments); the download issues the receipt: the first copy fixes its
 * number, recipient, date and content, every later copy is the same document marked 再発行.
 * Without a valid signature the download wants the bearer token of someone who may see the
 * order; anything else answers 404, exactly like a receipt that does not exist.
 */
export class ReceiptService {
  private readonly key: Buffer;
  constructor(private readonly app: App) {
    this.key = createHash('sha256').update(`receipt-links:${app.config.jwtSecret}`).digest();
  }

  /** The link to a paid invoice's receipt (null while it is not paid); `recipientName` is the 宛名 asked for. */
  async url(origin: string, invoice: Invoice, recipientName: string | null | undefined): Promise<string | null> {
    if (invoice.status !== InvoiceStatus.PAID) return null;
    if (!this.app.config.receiptIssuer) {
      throw new DomainError(UserErrorCode.INVALID_STATE, 'Receipts are not available: the operator’s registration number is not configured.', ['receiptUrl']);
    }
    const name = recipientName === undefined || recipientName === null ? '' : normalizeName(recipientName);
    if (recipientName !== undefined && recipientName !== null && !name) {
      throw new DomainError(UserErrorCode.INVALID, `Give the name to address the receipt to (1 to ${RECIPIENT_MAX} characters).`, ['recipientName']);
    }
    const issued = await this.app.ds.getRepository(Receipt).findOne({ where: { invoiceId: invoice.id }, select: { id: true, recipientName: true } });
    if (issued && name && name !== issued.recipientName) {
      throw new DomainError(UserErrorCode.INVALID, `This receipt was issued to 「${issued.recipientName}」; an issued receipt keeps its name.`, ['recipientName']);
    }
    const to = Buffer.from(name).toString('base64url');
    const exp = Math.floor(this.app.clock.now().getTime() / 1000) + this.app.config.RECEIPT_URL_TTL_SECONDS;
    return `${origin}/receipts/${invoice.id}?to=${to}&exp=${exp}&sig=${this.sign(invoice.id, to, exp)}`;
  }

  /**
   * Hands out one copy of the invoice's receipt: the first fixes it (number, 宛名, date, content),
   * each later one is counted and marked 再発行. Null when the invoice is not paid.
   */
  async issue(invoiceId: string, recipientName: string): Promise<{ receipt: Receipt; copy: number } | null> {
    return inTransaction(this.app.ds, async (tx) => {
      const invoice = await tx.getRepository(Invoice).findOne({ where: { id: invoiceId }, lock: { mode: 'pessimistic_write' } });
      if (!invoice || invoice.status !== InvoiceStatus.PAID || !this.app.config.receiptIssuer) return null;
      const repo = tx.getRepository(Receipt);
      let receipt = await repo.findOneBy({ invoiceId });
      if (!receipt) {
        const order = await tx.getRepository(Order).findOneByOrFail({ id: invoice.orderId });
        const name = recipientName || (await this.defaultName(tx, order));
        receipt = repo.create({ invoiceId, orderId: order.id, recipientName: name, issuedAt: this.app.clock.now(), copies: 0, content: await this.content(tx, invoice, order) });
        await repo.insert(receipt);
      }
      const copy = receipt.copies + 1;
      await repo.update({ id: receipt.id }, { copies: copy });
      return { receipt, copy };
    });
  }

  router(): Router {
    const router = Router();
    router.get('/receipts/:invoiceId', async (req, res, next) => {
      try {
        const id = String(req.params.invoiceId).toLowerCase();
        const to = typeof req.query.to === 'string' ? req.query.to : '';
        const signed = isUuid(id) && this.validSignature(id, to, req.query.exp, req.query.sig);
        const allowed = signed || (isUuid(id) && (await this.viewerMaySee(req.headers.authorization, id)));
        const issued = allowed ? await this.issue(id, signed ? normalizeName(Buffer.from(to, 'base64url').toString('utf8')) : '') : null;
        if (!issued) {
          res.status(404).json({ errors: [{ message: 'No such file.', extensions: { code: 'NOT_FOUND' } }] });
          return;
        }
        const number = receiptNumber(issued.receipt);
        const pdf = await renderReceiptPdf({
          number, recipientName: issued.receipt.recipientName, issuedAt: issued.receipt.issuedAt, reissue: issued.copy > 1, content: issued.receipt.content,
        });
        res.set({
          'Content-Type': 'application/pdf',
          'Content-Length': String(pdf.length),
          'Content-Disposition': `attachment; filename="receipt-${number}.pdf"; filename*=UTF-8''${encodeURIComponent(`領収書_${number}.pdf`)}`,
          'X-Content-Type-Options': 'nosniff',
          'Content-Security-Policy': "default-src 'none'; sandbox",
          'Cache-Control': 'private, no-store',
        });
        res.end(pdf);
      } catch (error) {
        next(error);
      }
    });
    return router;
  }

  /** What the receipt says, from the paid invoice, its items and its settled payments. */
  private async content(tx: EntityManager, invoice: Invoice, order: Order): Promise<ReceiptContent> {
    const issuer = this.app.config.receiptIssuer!;
    const items = new Map((await tx.getRepository(OrderItem).find({ where: { orderId: order.id } })).map((i) => [i.id, i]));
    const lines: ReceiptLine[] = invoice.storedLines.map((line) => {
      const item = line.itemId ? items.get(line.itemId) : undefined;
      const label =
        line.kind === 'GOODS' && item ? `商品代金 ${item.title} × ${line.quantity ?? item.quantity}`
        : line.kind === 'CHINA_SHIPPING' && item ? `中国国内送料 ${item.title}`
        : line.kind === 'SERVICE_FEE' ? '代行手数料'
        : line.kind === 'INTERNATIONAL_SHIPPING' ? '国際送料（中国→日本）'
        : line.description;
      return { label, taxClass: taxClassOf(line.kind), amount: line.amount };
    });
    const payments = await tx.getRepository(Payment).find({ where: { invoiceId: invoice.id, status: PaymentStatus.SETTLED }, order: { seq: 'ASC' } });
    const fees = payments.reduce((sum, p) => sum + p.feeMinor, 0n);
    if (fees > 0n) lines.push({ label: 'クレジットカード決済手数料', taxClass: TaxClass.STANDARD_10, amount: fees.toString() });
    const totals = taxSummary(lines);
    return {
      issuerName: issuer.name,
      registrationNumber: issuer.registrationNumber,
      issuerAddress: issuer.address,
      orderNumber: order.orderNumber,
      purpose: `ご注文 ${order.orderNumber} の${KIND_PURPOSE[invoice.kind] ?? '追加のお支払い'}`,
      paidAt: jstDate(invoice.paidAt ?? this.app.clock.now()),
      paymentMethods: [...new Set(payments.map((p) => METHOD_LABEL[p.method]))],
      lines,
      total: totals.total.toString(),
      standard10: totals.standard10.toString(),
      standard10Tax: totals.standard10Tax.toString(),
      exempt: totals.exempt.toString(),
      outOfScope: totals.outOfScope.toString(),
      refunded: invoice.amountRefundedMinor.toString(),
    };
  }

  /** The account's name; a guest's order: the delivery address's recipient. */
  private async defaultName(tx: EntityManager, order: Order): Promise<string> {
    const account = order.customerId ? await tx.getRepository(Account).findOne({ where: { id: order.customerId }, select: { id: true, name: true } }) : null;
    return normalizeName(account?.name ?? order.deliveryAddress.recipient) || 'お客様';
  }

  private sign(id: string, to: string, exp: number): string {
    return createHmac('sha256', this.key).update(`${id}.${to}.${exp}`).digest('base64url');
  }

  private validSignature(id: string, to: string, exp: unknown, sig: unknown): boolean {
    if (typeof exp !== 'string' || typeof sig !== 'string' || !/^\d{1,12}$/.test(exp) || !/^[A-Za-z0-9_-]{0,200}$/.test(to)) return false;
    if (Number(exp) * 1000 < this.app.clock.now().getTime()) return false;
    const expected = Buffer.from(this.sign(id, to, Number(exp)));
    const given = Buffer.from(sig);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private async viewerMaySee(header: string | undefined, invoiceId: string): Promise<boolean> {
    const token = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
    const viewer = token ? await this.app.accounts.fromToken(token).catch(() => null) : null;
    if (!viewer) return false;
    if (isStaff(viewer)) return true;
    const [row]: { ok: boolean }[] = await this.app.ds.query(
      `SELECT EXISTS (SELECT 1 FROM invoice i JOIN customer_order o ON o.id = i.order_id WHERE i.id = $1 AND o.customer_id = $2) AS ok`,
      [invoiceId, viewer.id],
    );
    return row.ok;
  }
}

/** A 宛名: trimmed, spaces collapsed, no control characters, at most RECIPIENT_MAX characters ('' if unusable). */
export function normalizeName(raw: string): string {
  const name = raw.normalize('NFC').replace(/[\u0000-\u001f\u007f]/g, '').replace(/[\s\u3000]+/g, ' ').trim();
  return [...name].length <= RECIPIENT_MAX ? name : '';
}
