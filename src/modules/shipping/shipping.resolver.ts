import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../../app/context';
import { ShippingEstimate, ShippingEstimateInput } from './shipping.types';

/** Public: the site's shipping estimate needs no sign-in. */
@Resolver()
export class ShippingResolver {
  @Query(() => ShippingEstimate, {
    description:
      'International shipping options for a weight and size: chargeable weight (volumetric rule stated), price and delivery days per method.',
  })
  shippingEstimate(@Arg('input', { description: 'The parcel’s weight and size.' }) input: ShippingEstimateInput, @Ctx() ctx: Context): ShippingEstimate {
    return ctx.app.shipping.estimate(input);
  }
}
