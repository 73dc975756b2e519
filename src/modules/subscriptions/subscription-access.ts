import { GraphQLError } from 'graphql';
import type { Context } from '../../app/context';
import { DomainError, unauthenticated, UserErrorCode } from '../../common/errors';
import type { GuestAccessInput } from '../orders/order.inputs';
import type { LiveConnection, LiveSubscription, LiveTarget } from './live-connection';
import type { LivePayloads } from './live-hub';

/**
 * `order(id)` answers null for a missing order and for another customer's alike; a
 * subscription cannot answer null, so both (and a guest's wrong phone or unknown number) get
 * this one error: BAD_USER_INPUT with reason NOT_FOUND, as queries report bad arguments.
 */
export function noSuchOrder(): DomainError {
  return new DomainError(UserErrorCode.NOT_FOUND, 'No such order.', ['orderId']);
}

/** Subscriptions exist on the WebSocket transport only (the same /graphql path). */
export function connectionOf(ctx: Context): LiveConnection {
  if (!ctx.connection) {
    throw new GraphQLError('Subscriptions are served over WebSocket on this same path (graphql-transport-ws, or graphql-ws for GraphQL Playground).', {
      extensions: { code: 'BAD_REQUEST' },
    });
  }
  return ctx.connection;
}

/**
 * Registers the subscription, then checks the caller may see the order (the query rules: a
 * customer their own orders, staff any, a guest by order number + phone with the guest
 * lookup's rate limits). Registering first means a change committed during the check is not
 * missed; a refused subscription is dropped before anything was sent.
 */
export async function subscribeToOrder<K extends 'orderUpdated' | 'messageAdded'>(
  ctx: Context,
  kind: K,
  orderId: string,
  guest: GuestAccessInput | null | undefined,
): Promise<LiveSubscription<LivePayloads[K]>> {
  const connection = connectionOf(ctx);
  const viewer = connection.viewer;
  if (!viewer && !guest) throw unauthenticated('Sign in (the token goes in the connection’s init payload), or give the order number and phone (guest).');
  const target: LiveTarget = { orderId: orderId.toLowerCase(), guest: !viewer };
  const subscription = ctx.app.live.hub.subscribe(connection, kind, target);
  try {
    if (viewer) {
      if (!(await ctx.app.orderQueries.canSee(viewer, orderId))) throw noSuchOrder();
    } else {
      const order = await ctx.app.guestAccess.find(ctx.app.ds.manager, ctx.ip, guest!.orderNumber, guest!.phone);
      if (!order || order.id !== target.orderId) throw noSuchOrder();
    }
  } catch (error) {
    subscription.cancel();
    throw error;
  }
  return subscription;
}

/** viewerOrdersUpdated, notificationAdded: about the signed-in viewer (@Authorized checked it). */
export function subscribeAsViewer<K extends 'viewerOrdersUpdated' | 'notificationAdded'>(ctx: Context, kind: K): LiveSubscription<LivePayloads[K]> {
  return ctx.app.live.hub.subscribe(connectionOf(ctx), kind);
}
