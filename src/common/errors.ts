import { GraphQLError } from 'graphql';
import { Field, ObjectType, registerEnumType } from 'type-graphql';

/**
 * Every expected business failure, across all modules. Stable: clients switch on these.
 * Add codes here rather than inventing per-module enums, so there is one error style.
 */
export enum UserErrorCode {
  INVALID = 'INVALID',
  NOT_FOUND = 'NOT_FOUND',
  EMAIL_TAKEN = 'EMAIL_TAKEN',
  INVALID_CREDENTIALS = 'INVALID_CREDENTIALS',
  INVALID_TOKEN = 'INVALID_TOKEN',
  RATE_LIMITED = 'RATE_LIMITED',
  TOO_MANY_FILES = 'TOO_MANY_FILES',
  FILE_TOO_LARGE = 'FILE_TOO_LARGE',
  FILE_TYPE_NOT_ALLOWED = 'FILE_TYPE_NOT_ALLOWED',
  FILE_EMPTY = 'FILE_EMPTY',
  UPLOAD_FAILED = 'UPLOAD_FAILED',
  INSUFFICIENT_DEPOSIT = 'INSUFFICIENT_DEPOSIT',
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
  INVALID_STATE = 'INVALID_STATE',
  GUEST_CONTACT_REQUIRED = 'GUEST_CONTACT_REQUIRED',
  QUOTE_ITEMS_MISMATCH = 'QUOTE_ITEMS_MISMATCH',
  ITEM_NOT_CHANGEABLE = 'ITEM_NOT_CHANGEABLE',
  PAYMENT_IN_PROGRESS = 'PAYMENT_IN_PROGRESS',
  ORDER_NOT_CANCELLABLE = 'ORDER_NOT_CANCELLABLE',
  ADDRESS_NOT_CHANGEABLE = 'ADDRESS_NOT_CHANGEABLE',
  ALREADY_CLAIMED = 'ALREADY_CLAIMED',
  MESSAGING_CLOSED = 'MESSAGING_CLOSED',
  REFUND_EXCEEDS_PAID = 'REFUND_EXCEEDS_PAID',
  CANCELLATION_ALREADY_REQUESTED = 'CANCELLATION_ALREADY_REQUESTED',
  SELLER_QUESTION_OPEN = 'SELLER_QUESTION_OPEN',
  INVALID_TRACKING_NUMBER = 'INVALID_TRACKING_NUMBER',
  SELLER_QUESTION_NOT_ALLOWED = 'SELLER_QUESTION_NOT_ALLOWED',
  SHIPPING_METHOD_UNAVAILABLE = 'SHIPPING_METHOD_UNAVAILABLE',
  INVOICE_NOT_PAYABLE = 'INVOICE_NOT_PAYABLE',
  NOTHING_TO_PAY = 'NOTHING_TO_PAY',
  PAYMENT_METHOD_REQUIRED = 'PAYMENT_METHOD_REQUIRED',
  NOT_A_BANK_TRANSFER = 'NOT_A_BANK_TRANSFER',
  NOT_A_CARD_PAYMENT = 'NOT_A_CARD_PAYMENT',
  PAYMENT_NOT_PENDING = 'PAYMENT_NOT_PENDING',
  CARD_DECLINED = 'CARD_DECLINED',
  NOT_APPROVED = 'NOT_APPROVED',
  PAYMENT_PROVIDER_UNAVAILABLE = 'PAYMENT_PROVIDER_UNAVAILABLE',
  EXCHANGE_NOT_ALLOWED = 'EXCHANGE_NOT_ALLOWED',
  EXCHANGE_ALREADY_REQUESTED = 'EXCHANGE_ALREADY_REQUESTED',
  EXCHANGE_IN_PROGRESS = 'EXCHANGE_IN_PROGRESS',
  SHIPMENT_NOT_COMBINABLE = 'SHIPMENT_NOT_COMBINABLE',
  SHIPMENT_GROUPED = 'SHIPMENT_GROUPED',
  DELIVERY_PROBLEM_OPEN = 'DELIVERY_PROBLEM_OPEN',
  WITHDRAWAL_BANK_ACCOUNT_MISSING = 'WITHDRAWAL_BANK_ACCOUNT_MISSING',
  PRICE_CHANGE_PENDING = 'PRICE_CHANGE_PENDING',
}
registerEnumType(UserErrorCode, {
  name: 'UserErrorCode',
  description: 'Stable codes of expected business failures, returned in `userErrors`.',
  valuesConfig: {
    INVALID: { description: 'An input value is malformed or out of range, or contradicts another (`field` and `message` say which).' },
    NOT_FOUND: { description: 'No such object, or it is not the caller’s: someone else’s order answers the same as a missing one.' },
    EMAIL_TAKEN: { description: 'An account with this e-mail address exists already.' },
    INVALID_CREDENTIALS: { description: 'The e-mail address or password is wrong (the message does not say which).' },
    INVALID_TOKEN: { description: 'The password-reset link has expired or was already used: ask for a new one.' },
    RATE_LIMITED: { description: 'Reserved. Rate limits answer a top-level error with `extensions.code` RATE_LIMITED and `retryAfter` (seconds), not a userError.' },
    TOO_MANY_FILES: { description: 'More attachments than one message or inspection takes at a time.' },
    FILE_TOO_LARGE: { description: 'An attachment is larger than the size limit (the message states it).' },
    FILE_TYPE_NOT_ALLOWED: { description: 'An attachment’s content is not JPG, PNG, GIF, WEBP or PDF (checked on the bytes, not the name).' },
    FILE_EMPTY: { description: 'An attachment has no content.' },
    UPLOAD_FAILED: { description: 'An attachment was not received completely: send it again.' },
    INSUFFICIENT_DEPOSIT: { description: 'The deposit balance is lower than the amount to take from it; the balance never goes below zero.' },
    IDEMPOTENCY_KEY_REUSED: { description: 'This idempotency key was already used for a different request: use a new key for a new request.' },
    INVALID_STATE: { description: 'The object’s status does not allow this action now (the message says why).' },
    GUEST_CONTACT_REQUIRED: { description: 'Without signing in, an order needs the guest’s e-mail address and phone number.' },
    QUOTE_ITEMS_MISMATCH: { description: 'A quote must price each item of the order exactly once.' },
    ITEM_NOT_CHANGEABLE: { description: 'Only items before payment can be changed or cancelled by the customer; ask staff by message.' },
    PAYMENT_IN_PROGRESS: { description: 'A payment has been reported or is being captured (money on its way): wait until it is confirmed or rejected.' },
    ORDER_NOT_CANCELLABLE: { description: 'The customer can no longer cancel alone (after the first payment, or once part of it is paid): send a cancellation request.' },
    ADDRESS_NOT_CHANGEABLE: { description: 'Shipment preparation has started: the delivery address can no longer be changed; ask staff by message.' },
    ALREADY_CLAIMED: { description: 'This guest order already belongs to an account.' },
    MESSAGING_CLOSED: { description: 'Messages on this order closed 30 days after it was completed or cancelled (`Order.messagingOpenUntil`).' },
    REFUND_EXCEEDS_PAID: { description: 'The refund is more than was received and not refunded yet.' },
    CANCELLATION_ALREADY_REQUESTED: { description: 'A cancellation request of this order is already waiting for staff (for staff: decide it before shipping).' },
    SELLER_QUESTION_OPEN: { description: 'Staff: the customer asked the seller a question about this item; answer it in the thread before buying.' },
    INVALID_TRACKING_NUMBER: { description: 'The tracking number does not have the format of the chosen carrier.' },
    SELLER_QUESTION_NOT_ALLOWED: { description: 'Seller questions can only be asked before the item is paid for; send a normal message instead.' },
    SHIPPING_METHOD_UNAVAILABLE: { description: 'This shipping method cannot carry the parcel (its weight or size is over the method’s limits).' },
    INVOICE_NOT_PAYABLE: { description: 'The invoice cannot be paid now (already paid, or voided because the order was cancelled).' },
    NOTHING_TO_PAY: { description: 'Nothing is due on this invoice.' },
    PAYMENT_METHOD_REQUIRED: { description: 'The deposit does not cover the amount due: choose BANK_TRANSFER or CARD for the rest.' },
    NOT_A_BANK_TRANSFER: { description: 'This payment is not a bank transfer.' },
    NOT_A_CARD_PAYMENT: { description: 'This payment is not a card payment.' },
    PAYMENT_NOT_PENDING: { description: 'The payment is no longer PENDING (already reported, settled, failed or cancelled): start a new payment.' },
    CARD_DECLINED: { description: 'The card was declined: open the approval page again to pay with another card.' },
    NOT_APPROVED: { description: 'The card payment has not been approved at PayPal yet: open the approval page first.' },
    PAYMENT_PROVIDER_UNAVAILABLE: { description: 'PayPal cannot be reached. A capture in doubt is confirmed with PayPal within minutes; nothing is charged twice.' },
    EXCHANGE_NOT_ALLOWED: { description: 'An exchange or return can be asked only for an arrived, inspected item, after inspection and before the second payment.' },
    EXCHANGE_ALREADY_REQUESTED: { description: 'An exchange or return of this item is already in progress.' },
    EXCHANGE_IN_PROGRESS: { description: 'An exchange or return on the order is not settled yet; it holds back the second invoice and the shipment.' },
    SHIPMENT_NOT_COMBINABLE: { description: 'Only orders of one customer, to one address, can ship together in one parcel.' },
    SHIPMENT_GROUPED: { description: 'The order ships in a combined parcel: act on the whole group (e.g. orderShipCombined).' },
    DELIVERY_PROBLEM_OPEN: { description: 'A delivery problem of the order is already open: add to it by message.' },
    WITHDRAWAL_BANK_ACCOUNT_MISSING: { description: 'The payout has no bank account yet: the customer (or guest) must give one with `withdrawalBankAccountSet` first.' },
    PRICE_CHANGE_PENDING: { description: 'A seller’s price change of the item waits for the customer’s answer: the item cannot be bought or re-priced until it is accepted and paid, declined, or past due.' },
  },
});

@ObjectType({ description: 'An expected business failure. The mutation changed nothing.' })
export class UserError {
  @Field(() => UserErrorCode, { description: 'What went wrong; stable, for clients to switch on.' })
  code: UserErrorCode;

  @Field(() => [String], {
    nullable: true,
    description: 'Path to the input field at fault, e.g. ["input", "items", "0", "quantity"].',
  })
  field: string[] | null;

  @Field({ description: 'What went wrong and what to do, in words to show the user.' })
  message: string;
}

/**
 * Thrown by services for a business refusal. The mutation wrapper rolls the transaction back
 * and returns it as `userErrors`, so a refusal never leaves a half-written change.
 */
export class DomainError extends Error {
  readonly errors: UserError[];
  constructor(code: UserErrorCode, message: string, field?: string[]);
  constructor(errors: UserError[]);
  constructor(codeOrErrors: UserErrorCode | UserError[], message?: string, field?: string[]) {
    const errors = Array.isArray(codeOrErrors)
      ? codeOrErrors
      : [{ code: codeOrErrors, message: message ?? codeOrErrors, field: field ?? null }];
    super(errors.map((e) => e.message).join('; '));
    this.errors = errors;
  }
}

/** Top-level error for a request with no valid credentials. */
export function unauthenticated(message = 'Sign in first: send a valid bearer token.') {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED' } });
}

/** Top-level error for a signed-in caller whose role may not do this. */
export function forbidden(message = 'Your account may not do this.') {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });
}

/**
 * Checks input parts one by one and keeps every refusal, so a client sees all problems at
 * once: `check(fn)` returns fn's value, or undefined after recording its DomainError; `add`
 * records one directly; `done()`
 * throws them together (changing nothing) if there were any.
 */
export function errorCollector() {
  const errors: UserError[] = [];
  return {
    check<T>(fn: () => T): T | undefined {
      try {
        return fn();
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        errors.push(...error.errors);
        return undefined;
      }
    },
    add(error: UserError): void {
      errors.push(error);
    },
    done(): void {
      if (errors.length) throw new DomainError(errors);
    },
  };
}
