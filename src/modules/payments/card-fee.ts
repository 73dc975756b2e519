import { divRoundHalfUp } from '../../common/money';

/** The card payment fee the customer pays on top (PayPal's own rate in Japan is about 3.6% + ¥40). */
export interface CardFeeRule {
  /** Percentage of the amount in basis points (360 = 3.6%). */
  percentBps: number;
  /** Added per payment, in yen. */
  fixedJpy: bigint;
}

/** Fee for paying `amountJpy` by card: the percentage rounded half up to the yen, plus the fixed part. */
export function cardFee(amountJpy: bigint, rule: CardFeeRule): bigint {
  return divRoundHalfUp(amountJpy * BigInt(rule.percentBps), 10_000n) + rule.fixedJpy;
}
