import { registerEnumType } from 'type-graphql';
import type { ShippingPriority } from '../orders/order-state';

/** International shipping methods from the China warehouse to Japan. */
export enum ShippingMethod {
  EMS = 'EMS', // 国際スピード郵便: fastest, tracked door to door
  AIR = 'AIR', // 航空便 (air parcel): by air, slower handling than EMS
  SAL = 'SAL', // SAL便 (economy air): flies on spare capacity, handled as surface mail
  SEA = 'SEA', // 船便 (sea parcel): cheapest and slowest; charged on actual weight only
}
registerEnumType(ShippingMethod, {
  name: 'ShippingMethod',
  description: 'International shipping method, China → Japan.',
  valuesConfig: {
    EMS: { description: 'EMS（国際スピード郵便）: the fastest.' },
    AIR: { description: '航空便 (air parcel).' },
    SAL: { description: 'SAL便 (economy air).' },
    SEA: { description: '船便 (sea parcel): the cheapest and slowest; charged on actual weight only.' },
  },
});

/** [chargeable weight up to (grams), price (JPY)] — one row of a rate table. */
export type RateRow = readonly [upToGrams: number, priceJpy: number];

/** One method's rules and prices. Every number is an integer (grams, millimetres, yen). */
export interface MethodRates {
  method: ShippingMethod;
  nameJa: string;
  nameEn: string;
  /** cm³ per kg: volumetric kg = L × W × H (cm) ÷ divisor; null = charged on actual weight only. */
  volumetricDivisor: number | null;
  /** Chargeable weight is rounded up to a multiple of this. */
  stepGrams: number;
  maxWeightGrams: number;
  longestSideMaxMm: number;
  /** Length + width + height. */
  sumOfSidesMaxMm: number;
  deliveryDaysMin: number;
  deliveryDaysMax: number;
  /** The method an order with this shipping priority gets unless staff choose otherwise. */
  defaultFor: ShippingPriority | null;
  /** Ascending; the price of a parcel is that of the first row whose weight ≥ its chargeable weight. */
  rates: readonly RateRow[];
}
