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
    DELIVERY_PROBLEM_OPEN: { description: 'A delivery problem of the order is already open: add to it by message.' },
    WITHDRAWAL_BANK_ACCOUNT_MISSING: { description: 'The payout has no bank account yet: the customer (or guest) must give one with `withdrawalBankAccountSet` first.' },
    PRICE_CHANGE_PENDING: { description: 'A seller’s price change of the item waits for the customer’s answer: the item cannot be bought or re-priced until it is accepted and paid, declined, or past due.' },
  },
});

@ObjectType({ description: 'An expected business failure. The mutation changed nothing.' })
export class UserError {
  @Field(() => UserErrorCode)
  code: UserErrorCode;

  @Field(() => [String], {
    nullable: true,
    description: 'Path to the input field at fault, e.g. ["input", "items", "0", "quantity"].',
  })
  field: string[] | null;

  @Field()
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
