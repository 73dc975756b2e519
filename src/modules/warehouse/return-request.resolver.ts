import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../../app/context';
import { limitMessageSend } from '../../app/security/message-limits';
import { unauthenticated } from '../../common/errors';
import { mutation } from '../../common/transaction';
import { Role } from '../accounts/account.entity';
import { OrderItem } from '../orders/order-item.entity';
import { ItemReturnRequest } from './return-request.entity';
import { ItemExchangeCompleteInput, ItemExchangeDecideInput, ItemExchangeRequestInput, ItemReturnRequestPayload } from './return-request.inputs';
import { returnRequestsOf } from './return-request-loaders';

@Resolver()
export class ItemExchangeResolver {
  @Mutation(() => ItemReturnRequestPayload, {
    description:
      'After inspection and before the second payment: ask for an EXCHANGE or RETURN of an arrived item. Sent to the order’s thread with up to 3 photos ' +
      '(multipart request with the `Apollo-Require-Preflight: true` header); staff then ask the seller.',
  })
  async itemExchangeRequest(@Arg('input', { description: 'The item, exchange or return, why, and photos.' }) input: ItemExchangeRequestInput, @Ctx() ctx: Context): Promise<ItemReturnRequestPayload> {
    if (!ctx.viewer && !input.guest) throw unauthenticated();
    await limitMessageSend(ctx, { guest: input.guest, files: input.photos });
    return ctx.app.itemReturns.request({ viewer: ctx.viewer, ip: ctx.ip, guest: input.guest }, input);
  }

  @Authorized(Role.STAFF)
  @Mutation(() => ItemReturnRequestPayload, {
    description:
      'Staff: the seller’s answer. An accepted RETURN cancels the item and refunds it to the deposit (less customer-paid local shipping); an accepted ' +
      'EXCHANGE waits for the replacement. Customer-paid shipping not netted from a refund goes on the second invoice.',
  })
  itemExchangeDecide(@Arg('input', { description: 'The request, the seller’s answer, a note, and the local shipping.' }) input: ItemExchangeDecideInput, @Ctx() ctx: Context): Promise<ItemReturnRequestPayload> {
    return mutation(ctx.app.ds, (tx) => ctx.app.itemReturns.decide(tx, ctx.viewer!, input));
  }

  @Authorized(Role.STAFF)
  @Mutation(() => ItemReturnRequestPayload, {
    description: 'Staff: the replacement of an accepted exchange arrived and was inspected again: received count, note and up to 10 photos (multipart request). Completes the exchange.',
  })
  itemExchangeComplete(@Arg('input', { description: 'The exchange and the replacement’s inspection.' }) input: ItemExchangeCompleteInput, @Ctx() ctx: Context): Promise<ItemReturnRequestPayload> {
    return ctx.app.itemReturns.complete(ctx.viewer!, input);
  }
}

@Resolver(() => OrderItem)
export class OrderItemExchangeResolver {
  @FieldResolver(() => [ItemReturnRequest], { description: 'Exchange and return requests of this item, oldest first.' })
  returnRequests(@Root() item: OrderItem, @Ctx() ctx: Context): Promise<ItemReturnRequest[]> {
    return returnRequestsOf(ctx, item.id);
  }
}
