import type { EntityManager } from 'typeorm';
import { isStaff } from '../../app/auth-checker';
import type { Account } from '../accounts/account.entity';
import { ActorRole, OrderEvent } from './order-event.entity';

/** Who did something, as the timeline records it. */
export interface Actor {
  role: ActorRole;
  id: string | null;
  name: string | null;
}

export const SYSTEM: Actor = { role: ActorRole.SYSTEM, id: null, name: 'system' };
export const GUEST: Actor = { role: ActorRole.GUEST, id: null, name: 'guest' };

export function actorOf(viewer: Account | null): Actor {
  if (!viewer) return GUEST;
  return { role: isStaff(viewer) ? ActorRole.STAFF : ActorRole.CUSTOMER, id: viewer.id, name: viewer.name };
}

/** Appends one timeline entry. Events are never changed afterwards. */
export async function recordEvent(
  tx: EntityManager,
  event: { orderId: string; itemId?: string | null; type: string; actor: Actor; at: Date; from?: string | null; to?: string | null; data?: Record<string, any> },
): Promise<void> {
  await tx.getRepository(OrderEvent).insert({
    orderId: event.orderId,
    itemId: event.itemId ?? null,
    type: event.type,
    actorRole: event.actor.role,
    actorId: event.actor.id,
    actorName: event.actor.name,
    fromState: event.from ?? null,
    toState: event.to ?? null,
    data: event.data ?? {},
    createdAt: event.at,
  });
}
