import { registerEnumType } from 'type-graphql';
import { Currency, formatMinor } from '../../common/money';
import { carrierName, trackingUrl, type Carrier } from '../warehouse/carriers';

/** The news a customer is told about, each with its own e-mail switch (`accountUpdate`). */
export enum NotificationKind {
  QUOTE_ISSUED = 'QUOTE_ISSUED', // the first invoice: amount and due date
  PAYMENT_DUE_SOON = 'PAYMENT_DUE_SOON', // 48 hours before the first invoice's due date
  PAYMENT_CONFIRMED = 'PAYMENT_CONFIRMED', // a transfer or card payment was received
  PAYMENT_REJECTED = 'PAYMENT_REJECTED', // staff could not find the reported transfer
  ORDER_CANCELLED = 'ORDER_CANCELLED', // by the customer, staff or the clock, with the refund
  ITEM_UNAVAILABLE = 'ITEM_UNAVAILABLE', // an item could not be bought; refunded
  PRICE_CHANGE = 'PRICE_CHANGE', // a seller changed an item's price after payment: a rise to answer, a fall refunded, a rise declined
  ITEM_ARRIVED = 'ITEM_ARRIVED', // at the warehouse, inspected, with photos
  SECOND_INVOICE_ISSUED = 'SECOND_INVOICE_ISSUED', // international shipping to pay
  SHIPPED = 'SHIPPED', // carrier and tracking link
  DELIVERY_PROBLEM = 'DELIVERY_PROBLEM', // a problem opened or resolved
  CANCELLATION_DECIDED = 'CANCELLATION_DECIDED', // the answer to a cancellation request
  STAFF_MESSAGE = 'STAFF_MESSAGE', // staff wrote in the order's thread
  REFUND = 'REFUND', // money going back to a card or a bank account: sent, failed, waiting for the account details
  WITHDRAWAL = 'WITHDRAWAL', // a deposit withdrawal was paid or rejected (e-mail only: it belongs to no order)
  PASSWORD_RESET = 'PASSWORD_RESET', // a reset link (always sent: it cannot be turned off)
}
registerEnumType(NotificationKind, {
  name: 'NotificationKind',
  description: 'What a notification is about; e-mail can be turned off per kind.',
  valuesConfig: {
    PRICE_CHANGE: { description: 'A seller changed an item’s price after payment: a rise to answer, a fall refunded, or a rise declined.' },
    QUOTE_ISSUED: { description: 'The order was quoted: the first invoice’s amount and due date.' },
    PAYMENT_DUE_SOON: { description: '48 hours before the first invoice’s due date, while it is unpaid.' },
    PAYMENT_CONFIRMED: { description: 'A bank transfer or card payment was received.' },
    PAYMENT_REJECTED: { description: 'Staff could not find the reported bank transfer.' },
    ORDER_CANCELLED: { description: 'The order was cancelled (by the customer, staff or the deadline), with the refund.' },
    ITEM_UNAVAILABLE: { description: 'An item could not be bought; what was paid for it is refunded.' },
    ITEM_ARRIVED: { description: 'An item arrived at the warehouse and was inspected, with photos.' },
    SECOND_INVOICE_ISSUED: { description: 'The second invoice (international shipping) is there to pay.' },
    SHIPPED: { description: 'The parcel shipped: carrier and tracking link.' },
    DELIVERY_PROBLEM: { description: 'A delivery problem was opened or resolved.' },
    CANCELLATION_DECIDED: { description: 'Staff answered a cancellation request.' },
    STAFF_MESSAGE: { description: 'Staff wrote in the order’s thread.' },
    REFUND: { description: 'Money going back to a card or bank account: sent, failed, or waiting for the account details.' },
    WITHDRAWAL: { description: 'A deposit withdrawal was paid or rejected (e-mail only: it belongs to no order).' },
    PASSWORD_RESET: { description: 'A password-reset link (e-mail only; always sent, it cannot be turned off).' },
  },
});

/** A timeline event as the dispatcher reads it, with the order it belongs to. */
export interface AnnouncedEvent {
  id: string;
  type: string;
  actorRole: string;
  toState: string | null;
  data: Record<string, any>;
  order: {
    id: string;
    orderNumber: string;
    cancelReason: string | null;
    shipmentCarrier: string | null;
    trackingNumber: string | null;
  };
  /** The order's open invoice of the kind the event is about, when it has one. */
  firstInvoice: { total: string; dueAt: Date | null } | null;
  secondInvoice: { total: string } | null;
}

export interface Announcement {
  kind: NotificationKind;
  title: string;
  body: string;
}

const yen = (minor: string | bigint) => `${Number(formatMinor(BigInt(minor), Currency.JPY)).toLocaleString('ja-JP')}円`;
const jst = (d: Date) => new Intl.DateTimeFormat('ja-JP', { timeZone: 'Asia/Tokyo', dateStyle: 'long', timeStyle: 'short' }).format(d);

const CANCEL_REASONS: Record<string, string> = {
  CUSTOMER_REQUEST: 'お客様のご依頼により',
  ALL_ITEMS_CANCELLED: 'すべての商品がキャンセルされたため',
  UNPAID_TIMEOUT: 'お支払い期限（お見積もりから7日）を過ぎたため',
  NOT_QUOTED: 'お申し込みから7日以内にお見積もりができなかったため',
  PURCHASE_FAILED: '商品を購入できなかったため',
  PRICE_CHANGE_DECLINED: '販売者の価格変更をお受けいただけなかったため',
  FORWARDING_FAILED: '日本への発送ができないため',
  PROHIBITED_ITEM: '取り扱いできない商品のため',
  DUPLICATE_ORDER: '重複したご注文のため',
  OTHER: '',
};

/**
 * What the customer is told about one timeline event, in Japanese (title and plain-text body),
 * or null when the event is not news for them (their own actions, internal steps).
 */
export function announce(e: AnnouncedEvent): Announcement | null {
  const n = `ご注文番号 ${e.order.orderNumber}`;
  const fromStaff = e.actorRole === 'STAFF';
  switch (e.type) {
    case 'ORDER_STATUS_CHANGED':
      switch (e.toState) {
        case 'AWAITING_FIRST_PAYMENT': {
          if (!e.firstInvoice) return null;
          const due = e.firstInvoice.dueAt ? `お支払い期限: ${jst(e.firstInvoice.dueAt)}\n期限までにお支払いがない場合、ご注文は自動的にキャンセルされます。` : '';
          return { kind: NotificationKind.QUOTE_ISSUED, title: 'お見積もりが届きました', body: `${n}\n1次決済のご請求額: ${yen(e.firstInvoice.total)}\n${due}` };
        }
        case 'AWAITING_SECOND_PAYMENT':
          return e.secondInvoice
            ? { kind: NotificationKind.SECOND_INVOICE_ISSUED, title: '2次決済（国際送料）のご請求', body: `${n}\n検品と梱包が終わりました。2次決済のご請求額: ${yen(e.secondInvoice.total)}` }
            : null;
        case 'SHIPPED': {
          const carrier = e.order.shipmentCarrier as Carrier | null;
          const tracking = e.order.trackingNumber;
          const link = carrier && tracking ? `\n配送業者: ${carrierName(carrier)}\n追跡番号: ${tracking}\n${trackingUrl(carrier, tracking)}` : '';
          return { kind: NotificationKind.SHIPPED, title: '商品発送のお知らせ', body: `${n}\nご注文の商品を発送しました。${link}` };
        }
        case 'CANCELLED': {
          const why = CANCEL_REASONS[e.order.cancelReason ?? 'OTHER'] ?? '';
          return { kind: NotificationKind.ORDER_CANCELLED, title: 'ご注文がキャンセルされました', body: `${n}\n${why}ご注文をキャンセルしました。お支払い済みの金額は返金されます（返金先は別途お知らせします）。` };
        }
        default:
          return null;
      }
    case 'ITEM_STATUS_CHANGED':
      if (e.toState === 'UNAVAILABLE') {
        return { kind: NotificationKind.ITEM_UNAVAILABLE, title: '購入できなかった商品があります', body: `${n}\n売り切れ等のため購入できなかった商品があります。お支払い済みの金額を返金しました。` };
      }
      if (e.toState === 'ARRIVED') {
        const photos = Number(e.data.photos ?? 0);
        return { kind: NotificationKind.ITEM_ARRIVED, title: '商品が倉庫に到着しました', body: `${n}\n商品が倉庫に到着し、検品しました。${photos ? `検品写真 ${photos} 枚をアプリでご確認いただけます。` : ''}` };
      }
      return null;
    case 'PRICE_CHANGE_RECORDED': {
      if (BigInt(e.data.difference ?? '0') <= 0n) return null; // a fall: PRICE_CHANGE_APPLIED says it with the refund
      const due = e.data.dueAt ? `\nご回答・お支払い期限: ${jst(new Date(e.data.dueAt))}` : '';
      return {
        kind: NotificationKind.PRICE_CHANGE,
        title: '商品価格変更のお知らせ（ご回答をお願いします）',
        body: `${n}\n販売者が商品の価格（または中国国内送料）を変更しました。追加のお支払い額: ${yen(e.data.difference)}${due}\nアプリで承諾して追加請求をお支払いいただくか、辞退してください。期限までにお支払いがない場合、この商品はキャンセルされ、お支払い済みの金額は返金されます。\n${e.data.note ?? ''}`,
      };
    }
    case 'PRICE_CHANGE_APPLIED':
      if (BigInt(e.data.difference ?? '0') >= 0n) return null; // a rise paid: PAYMENT_SETTLED (or the customer's own deposit payment)
      return { kind: NotificationKind.PRICE_CHANGE, title: '商品価格が下がりました', body: `${n}\n販売者が商品の価格を下げたため、差額 ${yen(-BigInt(e.data.difference))}を返金しました。` };
    case 'PRICE_CHANGE_REMINDER':
      return {
        kind: NotificationKind.PRICE_CHANGE,
        title: '価格変更へのご回答期限が近づいています',
        body: `${n}\n販売者の価格変更（追加のお支払い ${yen(e.data.difference)}）へのご回答・お支払い期限まで24時間を切りました。期限: ${jst(new Date(e.data.dueAt))}\n期限までにお支払いがない場合、この商品はキャンセルされ、お支払い済みの金額は返金されます。`,
      };
    case 'PRICE_CHANGE_DECLINED':
      if (e.actorRole === 'CUSTOMER' || e.actorRole === 'GUEST') return null; // their own answer
      return {
        kind: NotificationKind.PRICE_CHANGE,
        title: '価格が変更された商品をキャンセルしました',
        body: `${n}\n${e.actorRole === 'SYSTEM' ? '期限までに価格変更のご承諾とお支払いがなかったため、' : ''}この商品をキャンセルしました。お支払い済みの金額は返金されます。`,
      };
    case 'PAYMENT_SETTLED':
      if (e.data.method === 'DEPOSIT') return null; // the customer paid it themselves, in the app
      return { kind: NotificationKind.PAYMENT_CONFIRMED, title: 'お支払いを確認しました', body: `${n}\n${yen(String(e.data.applied ?? e.data.amount ?? '0'))}のお支払いを確認しました。` };
    case 'PAYMENT_REMINDER':
      return e.firstInvoice
        ? { kind: NotificationKind.PAYMENT_DUE_SOON, title: 'お支払い期限が近づいています', body: `${n}\n1次決済のお支払い期限まで48時間を切りました。${e.firstInvoice.dueAt ? `期限: ${jst(e.firstInvoice.dueAt)}` : ''}\n期限を過ぎるとご注文は自動的にキャンセルされます。` }
        : null;
    case 'REFUNDED_TO_ORIGINAL_METHOD': {
      const parts = [
        Number(e.data.card ?? 0) > 0 ? `クレジットカードへ ${yen(e.data.card)}（カード会社により、ご利用明細への反映まで約3〜7日かかります）` : null,
        Number(e.data.bankTransfer ?? 0) > 0 ? `銀行口座へのお振込みで ${yen(e.data.bankTransfer)}` : null,
        Number(e.data.deposit ?? 0) > 0 ? `デポジットへ ${yen(e.data.deposit)}` : null,
      ].filter(Boolean);
      return { kind: NotificationKind.REFUND, title: '返金のお手続きを開始しました', body: `${n}
${yen(e.data.amount)}を、お支払いいただいた方法で返金します。
${parts.join('\n')}` };
    }
    case 'REFUND_SUCCEEDED':
      return { kind: NotificationKind.REFUND, title: 'クレジットカードへの返金が完了しました', body: `${n}
${yen(e.data.amount)}をクレジットカードへ返金しました。カード会社により、ご利用明細への反映まで約3〜7日かかります。` };
    case 'REFUND_FAILED':
      return {
        kind: NotificationKind.REFUND,
        title: 'クレジットカードへの返金ができませんでした',
        body: `${n}
${yen(e.data.amount)}をクレジットカードへ返金できませんでした。${e.data.fallback === 'DEPOSIT' ? 'この金額はデポジットへ返金しました。' : '銀行口座へお振込みしますので、アプリで返金先の口座をご登録ください。'}`,
      };
    case 'WITHDRAWAL_REQUESTED':
      return e.data.awaitingBankAccount
        ? { kind: NotificationKind.REFUND, title: '返金先の口座をご登録ください', body: `${n}
${yen(e.data.amount)}を銀行振込で返金します。アプリで返金先の口座（銀行・支店・口座種別・口座番号・口座名義カナ）をご登録ください。` }
        : null;
    case 'WITHDRAWAL_COMPLETED':
      return { kind: NotificationKind.REFUND, title: '返金をお振込みしました', body: `${n}
${yen(e.data.amount)}をご指定の口座へお振込みしました。` };
    case 'WITHDRAWAL_REJECTED':
      return { kind: NotificationKind.REFUND, title: '返金のお振込みができませんでした', body: `${n}
${yen(e.data.amount)}のお振込みができませんでした。${e.data.note ?? ''}` };
    case 'PAYMENT_REJECTED':
      return { kind: NotificationKind.PAYMENT_REJECTED, title: 'お振込みを確認できませんでした', body: `${n}\nご報告いただいたお振込みを確認できませんでした。お手数ですが、内容をご確認のうえメッセージでお知らせください。` };
    case 'CANCELLATION_APPROVED':
    case 'CANCELLATION_REJECTED':
      if (!fromStaff) return null; // approved by the order's own cancellation: ORDER_CANCELLED says it
      return {
        kind: NotificationKind.CANCELLATION_DECIDED,
        title: e.type === 'CANCELLATION_APPROVED' ? 'キャンセルのご依頼を承りました' : 'キャンセルのご依頼をお受けできませんでした',
        body: `${n}\n${e.data.note ?? ''}`,
      };
    case 'DELIVERY_PROBLEM_OPENED':
      return fromStaff ? { kind: NotificationKind.DELIVERY_PROBLEM, title: '配送に問題が発生しました', body: `${n}\n${e.data.note ?? ''}` } : null;
    case 'DELIVERY_PROBLEM_RESOLVED':
      return { kind: NotificationKind.DELIVERY_PROBLEM, title: '配送の問題への対応', body: `${n}\n${e.data.note ?? ''}` };
    case 'MESSAGE_SENT':
    case 'SELLER_QUESTION_ANSWERED':
      return fromStaff ? { kind: NotificationKind.STAFF_MESSAGE, title: 'スタッフからメッセージが届きました', body: `${n}\nアプリでメッセージをご確認ください。` } : null;
    default:
      return null;
  }
}
