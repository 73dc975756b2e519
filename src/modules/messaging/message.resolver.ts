import { Arg, Args, Ctx, FieldResolver, Int, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../../app/context';
import { unauthenticated } from '../../common/errors';
import { PageArgs } from '../../common/pagination';
import { mutation } from '../../common/transaction';
import { Attachment } from '../attachments/attachment.entity';
import { OrderItem } from '../orders/order-item.entity';
import { Order } from '../orders/order.entity';
import { unreadCountOf } from '../orders/order-loaders';
import { isStaff } from '../../app/auth-checker';
import { limitMessageSend } from '../../app/security/message-limits';
import { Message, MessageSide } from './message.entity';
import { attachmentsOf, messagePageOf, sellerQuestionsOf } from './message-loaders';
import { MessageConnection, MessageSendInput, MessageSendPayload, MessagesMarkReadInput, MessagesMarkReadPayload } from './message.inputs';
import { messagingOpenUntil } from './messaging-rules';

@Resolver()
export class MessageResolver {
  @Mutation(() => MessageSendPayload, {
    description: 'Write in the order’s thread (customers on their own orders, guests with order number + phone, staff on any). Up to 3 files; send as a multipart request with the `Apollo-Require-Preflight: true` header.',
  })
  async messageSend(@Arg('input', { description: 'The order, the subject and text, and optional files.' }) input: MessageSendInput, @Ctx() ctx: Context): Promise<MessageSendPayload> {
    if (!ctx.viewer && !input.guest) throw unauthenticated();
    await limitMessageSend(ctx, input);
    return ctx.app.messages.send({ viewer: ctx.viewer, ip: ctx.ip, guest: input.guest }, input);
  }

  @Mutation(() => MessagesMarkReadPayload, { description: 'Mark the other side’s messages in this thread as read.' })
  messagesMarkRead(@Arg('input', { description: 'The order whose thread was read.' }) input: MessagesMarkReadInput, @Ctx() ctx: Context): Promise<MessagesMarkReadPayload> {
    if (!ctx.viewer && !input.guest) throw unauthenticated();
    return mutation(ctx.app.ds, async (tx) => ({ marked: await ctx.app.messages.markRead(tx, { viewer: ctx.viewer, ip: ctx.ip, guest: input.guest }, input.orderId) }));
  }
}

@Resolver(() => Message)
export class MessageFieldsResolver {
  @FieldResolver(() => [Attachment], { description: 'The files sent with the message, in the order attached.' })
  attachments(@Root() message: Message, @Ctx() ctx: Context): Promise<Attachment[]> {
    return attachmentsOf(ctx, message.id);
  }
}

@Resolver(() => Attachment)
export class AttachmentFieldsResolver {
  @FieldResolver(() => String, { description: 'A download link valid for a short time (15 minutes by default).' })
  url(@Root() attachment: Attachment, @Ctx() ctx: Context): string {
    return ctx.app.attachmentLinks.url(ctx.origin, attachment.id);
  }
}

/** The viewer's side of the thread: staff, or the customer (signed in or guest). */
function viewerSide(ctx: Context): MessageSide {
  return isStaff(ctx.viewer) ? MessageSide.STAFF : MessageSide.CUSTOMER;
}

@Resolver(() => Order)
export class OrderMessagingResolver {
  @FieldResolver(() => MessageConnection, { description: 'The thread, newest last.' })
  messages(@Root() order: Order, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: Context): Promise<MessageConnection> {
    return messagePageOf(ctx, order.id, page.first, page.after);
  }

  @FieldResolver(() => Int, { description: 'Messages from the other side the viewer has not read.' })
  unreadMessageCount(@Root() order: Order, @Ctx() ctx: Context): Promise<number> {
    return unreadCountOf(ctx, order.id, viewerSide(ctx));
  }

  @FieldResolver(() => Date, { nullable: true, description: 'Null while in progress; else the last day messages can be sent (30 days after completion or cancellation).' })
  messagingOpenUntil(@Root() order: Order): Date | null {
    return messagingOpenUntil(order);
  }

  @FieldResolver(() => Date, { nullable: true, description: 'The latest reply deadline staff set that the customer has not answered yet.' })
  async replyDeadline(@Root() order: Order, @Ctx() ctx: Context): Promise<Date | null> {
    return ctx.loaders
      .get<string, Date | null>('order.replyDeadline', async (ids) => {
        const rows: { order_id: string; reply_deadline: Date }[] = await ctx.app.ds.query(
          `SELECT DISTINCT ON (s.order_id) s.order_id, s.reply_deadline FROM message s
            WHERE s.order_id = ANY($1) AND s.author_side = 'STAFF' AND s.reply_deadline IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM message c WHERE c.order_id = s.order_id AND c.author_side = 'CUSTOMER' AND c.seq > s.seq)
            ORDER BY s.order_id, s.seq DESC`,
          [ids],
        );
        const byOrder = new Map(rows.map((r) => [r.order_id, r.reply_deadline]));
        return ids.map((id) => byOrder.get(id) ?? null);
      })
      .load(order.id);
  }
}

@Resolver(() => OrderItem)
export class OrderItemMessagingResolver {
  @FieldResolver(() => [Message], { description: 'The customer’s questions for the seller about this item, oldest first.' })
  sellerQuestions(@Root() item: OrderItem, @Ctx() ctx: Context): Promise<Message[]> {
    return sellerQuestionsOf(ctx, item.id);
  }

  @FieldResolver(() => Boolean, { description: 'A seller question awaits staff’s answer: staff must not buy the item yet.' })
  async hasOpenSellerQuestion(@Root() item: OrderItem, @Ctx() ctx: Context): Promise<boolean> {
    return (await sellerQuestionsOf(ctx, item.id)).some((q) => q.answeredAt === null);
  }
}
