import { Arg, Authorized, Ctx, ID, Resolver, Root, Subscription, type PubSub } from 'type-graphql';
import type { Context } from '../../app/context';
import { Loaders } from '../../app/loaders';
import { rememberMessage, type MessageRow } from '../messaging/message-loaders';
import { Message } from '../messaging/message.entity';
import { Notification } from '../notifications/notification.entity';
import { remember } from '../orders/order-loaders';
import type { OrderRead } from '../orders/order-read-model';
import { GuestAccessInput } from '../orders/order.inputs';
import { Order } from '../orders/order.entity';
import { subscribeAsViewer, subscribeToOrder } from './subscription-access';

/**
 * Each event is executed like a small query: fresh request-scoped loaders, primed with what the
 * hub read once for every subscriber of this process (live-hub.ts).
 */
function freshEvent(ctx: Context): Context {
  ctx.loaders = new Loaders();
  return ctx;
}

const GUEST_ARG = {
  nullable: true,
  description: 'Guests (no token): the order number and the phone given when ordering. Wrong ones answer like a missing order and count against the guest lookup limits.',
} as const;
const ORDER_ARG = { description: 'The order to watch. Another customer’s order answers exactly like a missing one.' } as const;

@Resolver()
export class SubscriptionResolver {
  @Subscription(() => Order, {
    description: 'The order after each committed change (status, items, invoices, payments…). Customers: their own; staff: any; guests with `guest`. Sent after commit only.',
    subscribe: ({ args, context }) => subscribeToOrder(context, 'orderUpdated', args.orderId, args.guest),
  })
  orderUpdated(
    @Root() read: OrderRead,
    @Arg('orderId', () => ID, ORDER_ARG) _orderId: string,
    @Arg('guest', () => GuestAccessInput, GUEST_ARG) _guest: GuestAccessInput | null,
    @Ctx() ctx: Context,
  ): Order {
    return remember(freshEvent(ctx), [read])[0];
  }

  @Subscription(() => Message, {
    description: 'Each new message in the order’s thread (either side, seller questions and answers too), with its files.',
    subscribe: ({ args, context }) => subscribeToOrder(context, 'messageAdded', args.orderId, args.guest),
  })
  messageAdded(
    @Root() row: MessageRow,
    @Arg('orderId', () => ID, ORDER_ARG) _orderId: string,
    @Arg('guest', () => GuestAccessInput, GUEST_ARG) _guest: GuestAccessInput | null,
    @Ctx() ctx: Context,
  ): Message {
    return rememberMessage(freshEvent(ctx), row);
  }

  @Authorized()
  @Subscription(() => Order, {
    description: 'Any order the viewer can see, after each committed change: a customer’s own orders; for staff every order (list screens, work queues).',
    subscribe: ({ context }) => subscribeAsViewer(context, 'viewerOrdersUpdated'),
  })
  viewerOrdersUpdated(@Root() read: OrderRead, @Ctx() ctx: Context): Order {
    return remember(freshEvent(ctx), [read])[0];
  }

  @Authorized()
  @Subscription(() => Notification, {
    description: 'Each new in-app notification of the viewer, as `me.notifications` lists them.',
    subscribe: ({ context }) => subscribeAsViewer(context, 'notificationAdded'),
  })
  notificationAdded(@Root() notification: Notification): Notification {
    return notification;
  }
}

/**
 * type-graphql 2 builds no Subscription type without a PubSub. Ours use `subscribe` (each
 * gateway's hub, reached through the context), so topics are never published or subscribed.
 */
export const NO_TOPICS: PubSub = {
  publish() {
    throw new Error('Subscriptions here use the live hub (src/modules/subscriptions), not type-graphql topics.');
  },
  subscribe() {
    throw new Error('Subscriptions here use the live hub (src/modules/subscriptions), not type-graphql topics.');
  },
};
