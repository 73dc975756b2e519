import { Arg, Field, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Money } from '../../common/money';
import { ShippingPriority } from '../orders/order-state';
import { formatKg } from './parcel';
import { ShippingMethod } from './shipping-method';
import { chooseFor, UnavailableCode, WeightRule, type MethodQuote } from './shipping-quote';

registerEnumType(WeightRule, {
  name: 'WeightRule',
  description: 'Which weight a shipping price is based on.',
  valuesConfig: {
    ACTUAL: { description: 'The weight on the scale.' },
    VOLUMETRIC: { description: 'L × W × H (cm) ÷ the method’s divisor, because it is more than the actual weight.' },
  },
});
registerEnumType(UnavailableCode, {
  name: 'ShippingUnavailableCode',
  description: 'Why a shipping method cannot take a parcel.',
  valuesConfig: {
    OVER_LENGTH: { description: 'The longest side is over the method’s limit.' },
    OVER_SIZE: { description: 'Length + width + height is over the method’s limit.' },
    OVER_WEIGHT: { description: 'The chargeable (actual or volumetric) weight is over the method’s maximum.' },
  },
});

@InputType({ description: 'A parcel as decimal strings: exact values, never floats.' })
export class ShippingEstimateInput {
  @Field({ description: 'Weight in kg, up to 3 decimals, e.g. "1.25".' })
  weightKg: string;

  @Field({ description: 'Length in cm, up to 1 decimal, e.g. "60" or "42.5".' })
  lengthCm: string;

  @Field({ description: 'Width in cm, up to 1 decimal.' })
  widthCm: string;

  @Field({ description: 'Height in cm, up to 1 decimal.' })
  heightCm: string;
}

@ObjectType({ description: 'One shipping method’s price and delivery time for a parcel, or why it cannot take it.' })
export class ShippingOption {
  @Field(() => ShippingMethod, { description: 'The shipping method.' })
  method: ShippingMethod;

  @Field({ description: 'Japanese / English, e.g. "船便 / Sea parcel".' })
  methodName: string;

  @Field({ description: 'The method’s Japanese name, e.g. 船便.' })
  methodNameJa: string;

  @Field({ description: 'The method’s English name, e.g. Sea parcel.' })
  methodNameEn: string;

  @Field({ description: 'The weight the price is for, kg: the larger of actual and volumetric, rounded up to the method’s step.' })
  chargeableWeightKg: string;

  @Field({ description: 'The weight given, kg.' })
  actualWeightKg: string;

  @Field(() => String, { nullable: true, description: 'L × W × H (cm) ÷ divisor, kg rounded up to the gram; null when the method ignores size.' })
  volumetricWeightKg: string | null;

  @Field(() => Int, { nullable: true, description: 'cm³ per kg in the volumetric formula; null when the method ignores size.' })
  volumetricDivisor: number | null;

  @Field({ description: 'The step chargeable weight is rounded up to, kg.' })
  weightStepKg: string;

  @Field(() => WeightRule, { description: 'Whether the price is by actual or volumetric weight.' })
  appliedRule: WeightRule;

  @Field({ description: 'The rule and formula applied, in words.' })
  ruleDescription: string;

  @Field(() => Money, { nullable: true, description: 'JPY; null when the method cannot take the parcel.' })
  price: Money | null;

  @Field(() => Int, { description: 'Fewest days to Japan, as the carrier states it.' })
  deliveryDaysMin: number;

  @Field(() => Int, { description: 'Most days to Japan, as the carrier states it.' })
  deliveryDaysMax: number;

  @Field({ description: 'Whether the method can take the parcel (then `price` is set).' })
  available: boolean;

  @Field(() => UnavailableCode, { nullable: true, description: 'Which limit the parcel is over; null when available.' })
  unavailableCode: UnavailableCode | null;

  @Field(() => String, { nullable: true, description: 'Why the method cannot take the parcel (size or weight limit).' })
  unavailableReason: string | null;

  static from(q: MethodQuote): ShippingOption {
    const r = q.rates;
    return Object.assign(new ShippingOption(), {
      method: r.method,
      methodName: `${r.nameJa} / ${r.nameEn}`,
      methodNameJa: r.nameJa,
      methodNameEn: r.nameEn,
      chargeableWeightKg: formatKg(q.chargeableGrams),
      actualWeightKg: formatKg(q.actualGrams),
      volumetricWeightKg: q.volumetricGrams === null ? null : formatKg(q.volumetricGrams),
      volumetricDivisor: r.volumetricDivisor,
      weightStepKg: formatKg(r.stepGrams),
      appliedRule: q.appliedRule,
      ruleDescription: q.ruleDescription,
      price: q.price,
      deliveryDaysMin: r.deliveryDaysMin,
      deliveryDaysMax: r.deliveryDaysMax,
      available: q.price !== null,
      unavailableCode: q.unavailable?.code ?? null,
      unavailableReason: q.unavailable?.reason ?? null,
    });
  }
}

@ObjectType({ description: 'International shipping options for a parcel, China → Japan.' })
export class ShippingEstimate {
  @Field(() => [ShippingOption], { description: 'Every method, fastest first; unavailable ones say why.' })
  options: ShippingOption[];

  quotes: MethodQuote[];

  @Field(() => ShippingOption, {
    nullable: true,
    description:
      'The option an order with this shipping priority gets: the priority’s default method (SPEED: EMS, ECONOMY: sea) ' +
      'when it can take the parcel, otherwise the fastest (SPEED) or cheapest (ECONOMY) available one; null when none can.',
  })
  defaultMethodFor(@Arg('priority', () => ShippingPriority, { description: 'The order’s shipping priority.' }) priority: ShippingPriority): ShippingOption | null {
    const chosen = chooseFor(priority, this.quotes);
    return chosen ? this.options.find((o) => o.method === chosen.rates.method)! : null;
  }

  static of(quotes: MethodQuote[]): ShippingEstimate {
    return Object.assign(new ShippingEstimate(), { quotes, options: quotes.map(ShippingOption.from) });
  }
}
