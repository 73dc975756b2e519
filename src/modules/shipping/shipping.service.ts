import type { ShippingPriority } from '../orders/order-state';
import { parseParcel, type Parcel, type ParcelText } from './parcel';
import { SHIPPING_RATES } from './rates';
import type { ShippingMethod } from './shipping-method';
import { assertRateTables, defaultMethodFor, priceFor, quoteAll, type MethodQuote } from './shipping-quote';
import { ShippingEstimate } from './shipping.types';
import type { Money } from '../../common/money';

/**
 * International shipping prices (src/modules/shipping/rates.ts). Needs no database: the rates
 * are data in the code, checked once here so a bad edit stops the gateway at start.
 */
export class ShippingService {
  constructor() {
    assertRateTables(SHIPPING_RATES);
  }

  /** Every method's price and delivery time for a parcel, or why the method cannot take it. */
  quote(parcel: Parcel): MethodQuote[] {
    return quoteAll(parcel);
  }

  /** The public estimate from a client's decimal strings; bad fields are refused by name. */
  estimate(input: ParcelText): ShippingEstimate {
    return ShippingEstimate.of(this.quote(parseParcel(input)));
  }

  /** The price by one method; SHIPPING_METHOD_UNAVAILABLE when it cannot take the parcel. */
  priceFor(method: ShippingMethod, parcel: Parcel, field?: string[]): Money {
    return priceFor(method, parcel, field);
  }

  /** The method configured as the default for an order's shipping priority. */
  defaultMethodFor(priority: ShippingPriority): ShippingMethod {
    return defaultMethodFor(priority);
  }
}
