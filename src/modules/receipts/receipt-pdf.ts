import { readFileSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import { TaxClass, type ReceiptContent } from './receipt-tax';

/** Noto Sans JP (SIL Open Font License), shipped as an npm package; subset into each PDF by pdfkit. */
const FONT_FILE = require.resolve('@expo-google-fonts/noto-sans-jp/400Regular/NotoSansJP_400Regular.ttf');
let font: Buffer | undefined;

const TAX_LABEL: Record<TaxClass, string> = {
  [TaxClass.STANDARD_10]: '10%',
  [TaxClass.EXEMPT]: '免税',
  [TaxClass.OUT_OF_SCOPE]: '不課税',
};

export interface ReceiptDocument {
  number: string;
  recipientName: string;
  issuedAt: Date;
  reissue: boolean;
  content: ReceiptContent;
}

const yen = (minor: string | bigint) => `¥${BigInt(minor).toLocaleString('ja-JP')}`;
const jstDate = (d: Date) => new Intl.DateTimeFormat('ja-JP', { timeZone: 'Asia/Tokyo', year: 'numeric', month: 'long', day: 'numeric' }).format(d);

/**
 * The receipt as a PDF. Pure: the same document gives the same bytes (the PDF's dates are the
 * issue date), so a copy asked for again is the same document, marked 再発行 when it is not the first.
 */
export function renderReceiptPdf(doc: ReceiptDocument): Promise<Buffer> {
  font ??= readFileSync(FONT_FILE);
  const { content: c } = doc;
  const pdf = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: { Title: `領収書 ${doc.number}`, Author: c.issuerName, Subject: c.purpose, Producer: 'proxy-buy-gateway', Creator: 'proxy-buy-gateway', CreationDate: doc.issuedAt, ModDate: doc.issuedAt },
  });
  const chunks: Buffer[] = [];
  pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });
  pdf.registerFont('jp', font);
  pdf.font('jp');
  const left = 50;
  const width = 495;

  if (doc.reissue) {
    pdf.save().lineWidth(1.5).strokeColor('#c00000').rect(left + width - 80, 40, 80, 28).stroke().restore();
    pdf.fillColor('#c00000').fontSize(14).text('再発行', left + width - 80, 45, { width: 80, align: 'center' }).fillColor('black');
  }
  pdf.fontSize(26).text('領収書', left, 50, { width, align: 'center', characterSpacing: 8 });
  pdf.fontSize(9).text(`No. ${doc.number}`, left, 95, { width, align: 'right' });
  pdf.text(`発行日 ${jstDate(doc.issuedAt)}`, left, 108, { width, align: 'right' });

  pdf.fontSize(15).text(`${doc.recipientName} 様`, left, 130, { width: 300 });
  pdf.moveTo(left, 152).lineTo(left + 300, 152).lineWidth(0.8).stroke();

  pdf.rect(left + 70, 170, width - 140, 44).lineWidth(1).stroke();
  pdf.fontSize(22).text(`${yen(c.total)} -`, left + 70, 178, { width: width - 140, align: 'center' });
  pdf.fontSize(9).text('（税込）', left + 70, 220, { width: width - 140, align: 'center' });

  pdf.fontSize(10).text(`但し ${c.purpose}として`, left, 245, { width });
  pdf.text('上記正に領収いたしました。', left, 262, { width });

  // 内訳 (what was paid for), each with its tax class
  let y = 295;
  pdf.fontSize(10).text('内訳', left, y);
  y += 16;
  pdf.moveTo(left, y).lineTo(left + width, y).lineWidth(0.5).stroke();
  y += 4;
  pdf.fontSize(8).text('品目', left, y, { width: 330 }).text('税区分', left + 335, y, { width: 60, align: 'center' }).text('金額（税込）', left + 395, y, { width: 100, align: 'right' });
  y += 14;
  for (const line of c.lines) {
    const height = pdf.fontSize(9).heightOfString(line.label, { width: 330 });
    pdf.text(line.label, left, y, { width: 330 });
    pdf.text(TAX_LABEL[line.taxClass], left + 335, y, { width: 60, align: 'center' });
    pdf.text(yen(line.amount), left + 395, y, { width: 100, align: 'right' });
    y += Math.max(height, 12) + 3;
    if (y > 640) {
      pdf.addPage();
      pdf.font('jp');
      y = 50;
    }
  }
  pdf.moveTo(left, y).lineTo(left + width, y).lineWidth(0.5).stroke();
  y += 8;

  // 税率ごとの合計と消費税額 (what a qualified invoice must state)
  const rows: [string, string][] = [
    ['10%対象（税込）', `${yen(c.standard10)}（うち消費税 ${yen(c.standard10Tax)}）`],
    ['免税（国際輸送）', yen(c.exempt)],
    ['不課税（海外での商品代金・現地送料の立替金）', yen(c.outOfScope)],
    ['合計', yen(c.total)],
  ];
  for (const [label, value] of rows) {
    pdf.fontSize(9).text(label, left + 150, y, { width: 200 }).text(value, left + 300, y, { width: 195, align: 'right' });
    y += 15;
  }
  y += 6;
  pdf.fontSize(8).text(`お支払日 ${c.paidAt}　お支払方法 ${c.paymentMethods.join('・')}　ご注文番号 ${c.orderNumber}`, left, y, { width });
  y += 13;
  if (BigInt(c.refunded) > 0n) {
    pdf.text(`この請求のうち ${yen(c.refunded)} は返金済みです（返金は別途お知らせしています）。`, left, y, { width });
    y += 13;
  }

  const issuerY = Math.max(y + 20, 690);
  pdf.fontSize(11).text(c.issuerName, left + 260, issuerY, { width: 235, align: 'right' });
  pdf.fontSize(9).text(`登録番号 ${c.registrationNumber}`, left + 260, issuerY + 18, { width: 235, align: 'right' });
  if (c.issuerAddress) pdf.text(c.issuerAddress, left + 160, issuerY + 32, { width: 335, align: 'right' });
  pdf.fontSize(7).fillColor('#555555').text(`領収書番号はこの請求に一つです。2通目以降は「再発行」と記載します。電子発行のため収入印紙は不要です。`, left, 765, { width, align: 'center', lineBreak: false });
  pdf.end();
  return done;
}
