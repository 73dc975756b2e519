import { Arg, Args, Authorized, Ctx, Field, FieldResolver, ID, InputType, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { GraphQLJSON } from 'graphql-scalars';
import type { Context } from '../../app/context';
import { DomainError, UserError, UserErrorCode } from '../../common/errors';
import { Connection, decodeCursor, PageArgs, pageSize, toConnection } from '../../common/pagination';
import { mutation } from '../../common/transaction';
import { Account, Role } from '../accounts/account.entity';
import { Order } from '../orders/order.entity';
import { orderById } from '../orders/order-loaders';
import { deadJobs, QUEUES } from '../../jobs/workers';
import { Notification } from './notification.entity';

@ObjectType({ description: 'A page of your notifications, newest first.' })
export class NotificationConnection extends Connection(Notification) {}

@InputType({ description: 'Which of your notifications to mark read.' })
export class NotificationsMarkReadInput {
  @Field(() => [ID], { nullable: true, description: 'These notifications; leave out (with `all: true`) for every unread one.' })
  ids?: string[] | null;

  @Field({ defaultValue: false, description: 'Mark every unread notification read.' })
  all: boolean;
}

@ObjectType({ description: 'The unread count after marking, or userErrors.' })
export class NotificationsMarkReadPayload {
  @Field(() => Int, { nullable: true, description: 'Unread notifications left.' })
  unreadCount?: number;

  @Field(() => [UserError], { description: 'Why it was refused; empty on success.' })
  userErrors: UserError[];
}

@ObjectType({ description: 'A delivery (e-mail) that failed after its last retry; staff can retry it.' })
export class FailedJob {
  @Field(() => ID, { description: 'The job’s id; pass it to `jobRetry`.' })
  id: string;

  @Field({ description: 'The queue, e.g. mail-send.' })
  queue: string;

  @Field(() => GraphQLJSON, { description: 'What the job was given (e.g. the mail id).' })
  data: unknown;

  @Field(() => GraphQLJSON, { nullable: true, description: 'The last error.' })
  error: unknown;

  @Field(() => Int, { description: 'How many times it was retried before giving up.' })
  retryCount: number;

  @Field({ description: 'When the job was first queued.' })
  createdAt: Date;
}

@ObjectType({ description: 'Whether the failed job was queued again, or userErrors.' })
export class JobRetryPayload {
  @Field({ nullable: true, description: 'True when the job went back to its queue.' })
  retried?: boolean;

  @Field(() => [UserError], { description: 'Why it was refused (e.g. NOT_FOUND: no such failed job); empty on success.' })
  userErrors: UserError[];
}

/** In-app notifications: only ever the viewer's own. */
@Resolver(() => Account)
export class AccountNotificationsResolver {
  @FieldResolver(() => NotificationConnection, { description: 'Your notifications, newest first.' })
  async notifications(@Root() account: Account, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: Context): Promise<NotificationConnection> {
    if (ctx.viewer?.id !== account.id) return toConnection([], pageSize(page.first), () => []);
    const size = pageSize(page.first);
    const cursor = decodeCursor(page.after, 1);
    const rows = await ctx.app.ds.getRepository(Notification).createQueryBuilder('n')
      .where('n.account_id = :me', { me: account.id })
      .andWhere(cursor ? 'n.id < :after' : 'TRUE', { after: cursor ? String(cursor[0]) : null })
      .orderBy('n.id', 'DESC').limit(size + 1).getMany();
    return toConnection(rows, size, (n) => [n.id]);
  }

  @FieldResolver(() => Int, { description: 'How many of your notifications are unread.' })
  async unreadNotificationCount(@Root() account: Account, @Ctx() ctx: Context): Promise<number> {
    if (ctx.viewer?.id !== account.id) return 0;
    const [row]: { n: number }[] = await ctx.app.ds.query(`SELECT count(*)::int AS n FROM notification WHERE account_id = $1 AND read_at IS NULL`, [account.id]);
    return row.n;
  }
}

@Resolver(() => Notification)
export class NotificationResolver {
  @FieldResolver(() => Order, { nullable: true, description: 'The order it is about.' })
  order(@Root() n: Notification, @Ctx() ctx: Context): Promise<Order | null> {
    return orderById(ctx, n.orderId);
  }

  @FieldResolver(() => Boolean, { description: 'Whether it also went out by e-mail (sent to the SMTP server).' })
  async emailSent(@Root() n: Notification, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.loaders
      .get<string, boolean>('notification.mailed', async (keys) => {
        const pairs = keys.map((k) => k.split(':'));
        const rows: { k: string }[] = await ctx.app.ds.query(
          `SELECT m.event_id || ':' || m.account_id AS k FROM outgoing_mail m
            WHERE (m.event_id, m.account_id) IN (SELECT * FROM unnest($1::bigint[], $2::uuid[])) AND m.sent_at IS NOT NULL`,
          [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
        );
        const sent = new Set(rows.map((r) => r.k));
        return keys.map((k) => sent.has(k));
      })
      .load(`${n.eventId}:${n.accountId}`);
  }

  @Authorized()
  @Mutation(() => NotificationsMarkReadPayload, { description: 'Mark some (ids) or all of your unread notifications read.' })
  async notificationsMarkRead(@Arg('input', { description: 'Which notifications: `ids`, or `all: true`.' }) input: NotificationsMarkReadInput, @Ctx() ctx: Context): Promise<NotificationsMarkReadPayload> {
    const me = ctx.viewer!.id;
    return mutation(ctx.app.ds, async (tx) => {
      if (!input.all && !input.ids?.length) throw new DomainError(UserErrorCode.INVALID, 'Name the notifications to mark read, or say all: true.', ['input', 'ids']);
      const ids = (input.ids ?? []).filter((id) => /^\d{1,18}$/.test(id));
      await tx.query(
        `UPDATE notification SET read_at = $2 WHERE account_id = $1 AND read_at IS NULL ${input.all ? '' : 'AND id = ANY($3::bigint[])'}`,
        input.all ? [me, ctx.app.clock.now()] : [me, ctx.app.clock.now(), ids],
      );
      const [row]: { n: number }[] = await tx.query(`SELECT count(*)::int AS n FROM notification WHERE account_id = $1 AND read_at IS NULL`, [me]);
      return { unreadCount: row.n };
    });
  }

  @Authorized(Role.STAFF)
  @Query(() => [FailedJob], { description: 'Staff: deliveries (e-mails) that failed after their last retry, newest first.' })
  async failedJobs(@Arg('first', () => Int, { defaultValue: 50, description: 'How many to list, newest first (1 to 200; default 50).' }) first: number, @Ctx() ctx: Context): Promise<FailedJob[]> {
    const rows = await deadJobs(ctx.app, Math.min(Math.max(first, 1), 200));
    return rows.map((r) => ({ id: r.id, queue: r.name, data: r.data, error: r.output, retryCount: r.retryCount, createdAt: r.createdOn }));
  }

  @Authorized(Role.STAFF)
  @Mutation(() => JobRetryPayload, { description: 'Staff: send a failed delivery back to its queue for another round of retries.' })
  async jobRetry(@Arg('id', () => ID, { description: 'The failed job’s id (`FailedJob.id`).' }) id: string, @Ctx() ctx: Context): Promise<JobRetryPayload> {
    return mutation(ctx.app.ds, async (tx) => {
      const [exists] = await tx.query(`SELECT to_regclass('pgboss.job') IS NOT NULL AS ok`);
      const rows = exists.ok && /^[0-9a-f-]{36}$/.test(id)
        ? await tx.query(`UPDATE pgboss.job SET state = 'retry', retry_count = 0, start_after = now() WHERE name = $1 AND id = $2 AND state = 'failed' RETURNING id`, [QUEUES.mail, id])
        : [[]];
      if (!(rows[0] as unknown[]).length) throw new DomainError(UserErrorCode.NOT_FOUND, 'No failed job with that id.', ['id']);
      return { retried: true };
    });
  }
}
