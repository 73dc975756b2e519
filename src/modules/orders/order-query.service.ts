import { GraphQLError } from 'graphql';
import type { App } from '../../app/app';
import { isStaff } from '../../app/auth-checker';
import { preparedQuery } from '../../app/data-source';
import { forbidden } from '../../common/errors';
import { isUuid } from '../../common/ids';
import { decodeCursor, pageSize, toConnection, type ConnectionShape } from '../../common/pagination';
import { normalizePhone } from '../../common/phone';
import type { Account } from '../accounts/account.entity';
import { normalizeOrderNumber } from './guest-access';
import { Order } from './order.entity';
import type { OrderRead, ThreadPage } from './order-read-model';
import { OrderStatus, STATUS_GROUPS } from './order-state';
import { StaffQueue, type OrdersFilter } from './order.inputs';

/** Queues that are a plain status; the others are added by the modules that own them. */
export const STATUS_QUEUES: Partial<Record<StaffQueue, OrderStatus>> = {
  QUOTE: OrderStatus.SUBMITTED,
  PURCHASE: OrderStatus.PURCHASING,
  ARRIVAL: OrderStatus.AWAITING_ARRIVAL,
  SECOND_INVOICE: OrderStatus.INSPECTING,
  SHIPMENT: OrderStatus.PREPARING_SHIPMENT,
};

/**
 * A condition on alias `o` (the order) selecting orders in a staff queue; `params` may be
 * computed per query (e.g. the clock's now for a deadline). A queue kept as a fact on the order
 * row lists by that fact (`orderBy`: the column, never null in the queue, and its value on the
 * entity for the cursor) rather than by `submitted_at`, so its partial index gives the order.
 */
export type QueueCondition = {
  sql: string;
  params?: Record<string, unknown> | ((now: Date) => Record<string, unknown>);
  orderBy?: { column: string; key: (order: Order) => Date };
};

const BY_SUBMISSION = { column: 'o.submitted_at', key: (order: Order) => order.submittedAt };

/**
 * A status written into the SQL rather than bound: each queue and status group is then a
 * statement of its own, whose generic plan (prepared statements, after five runs) still knows
 * which status it reads. Bound, one generic plan served every status, sized for an average
 * one, and walked the whole table for a queue of a few orders.
 */
function statusLiteral(status: OrderStatus): string {
  if (!Object.values(OrderStatus).includes(status)) throw new Error(`not an order status: ${status}`);
  return `'${status}'`;
}

/**
 * Staff search: the orders whose number, contact e-mail or contact phone is the text, as a
 * UNION ALL of one index lookup per column (an order found twice is still one row of the IN).
 * Written as one OR, PostgreSQL scans the table (or the list's order index) at a million orders.
 */
function searchCondition(text: string): QueueCondition {
  const lookups = ['SELECT s.id FROM customer_order s WHERE s.order_number = :searchNumber', 'SELECT s.id FROM customer_order s WHERE s.contact_email = :searchEmail'];
  const phone = normalizePhone(text);
  if (phone) lookups.push('SELECT s.id FROM customer_order s WHERE s.contact_phone = :searchPhone');
  return {
    sql: `o.id IN (${lookups.join(' UNION ALL ')})`,
    params: { searchNumber: normalizeOrderNumber(text), searchEmail: text.toLowerCase(), ...(phone ? { searchPhone: phone } : {}) },
  };
}

/** The queues whose condition another module owns (not a plain order status), by queue. */
export type QueueConditions = Partial<Record<StaffQueue, QueueCondition>>;

export class OrderQueryService {
  /**
   * `queues`: the conditions of the queues other modules own, composed in one place
   * (src/app/staff-queues.ts), so no service registers SQL from its constructor.
   */
  constructor(
    private readonly app: App,
    private readonly queues: QueueConditions,
  ) {}

  /** One order, if the viewer may see it; someone else's order is simply not there. */
  async findVisible(viewer: Account, id: string, thread?: ThreadPage): Promise<OrderRead | null> {
    if (!isUuid(id)) return null;
    const [read] = await this.app.orderReads.byIds(this.app.ds, [id], thread);
    if (!read || !(isStaff(viewer) || read.order.customerId === viewer.id)) return null;
    return read;
  }

  /** Whether the viewer may see the order (findVisible's rule, without reading the order): live subscriptions. */
  async canSee(viewer: Account, id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const [row] = await preparedQuery<{ customer_id: string | null }>(this.app.ds, 'SELECT o.customer_id FROM customer_order o WHERE o.id = $1', [id]);
    return row !== undefined && (isStaff(viewer) || row.customer_id === viewer.id);
  }

  /**
   * Customers page through their own orders, newest first. Staff see all, can search by
   * order number, e-mail or phone, and list a queue (oldest first: first come, first served;
   * a message queue by how long the customer has waited).
   */
  async list(viewer: Account, filter: OrdersFilter | null | undefined, first: number | undefined, after: string | null | undefined): Promise<ConnectionShape<OrderRead>> {
    const size = pageSize(first);
    const staff = isStaff(viewer);
    if (!staff && filter?.awaiting) throw forbidden('Only staff see the work queues.');
    const ascending = Boolean(filter?.awaiting);
    const qb = this.app.ds.getRepository(Order).createQueryBuilder('o');
    if (!staff) qb.andWhere('o.customer_id = :me', { me: viewer.id });
    if (filter?.statusGroup) qb.andWhere(`o.status IN (${STATUS_GROUPS[filter.statusGroup].map(statusLiteral).join(', ')})`);
    if (filter?.search?.trim()) {
      const search = searchCondition(filter.search.trim());
      qb.andWhere(search.sql, search.params);
    }
    let sort = BY_SUBMISSION;
    if (filter?.awaiting) {
      const status = STATUS_QUEUES[filter.awaiting];
      const condition: QueueCondition | undefined = status ? { sql: `o.status = ${statusLiteral(status)}` } : this.queues[filter.awaiting];
      if (!condition) throw new GraphQLError(`The ${filter.awaiting} queue is not available.`, { extensions: { code: 'BAD_USER_INPUT' } });
      qb.andWhere(condition.sql, typeof condition.params === 'function' ? condition.params(this.app.clock.now()) : condition.params);
      sort = condition.orderBy ?? sort;
    }
    const cursor = decodeCursor(after, 2);
    if (cursor) {
      qb.andWhere(`(${sort.column}, o.id) ${ascending ? '>' : '<'} (:at, :id)`, { at: new Date(String(cursor[0])), id: cursor[1] });
    }
    const dir = ascending ? 'ASC' : 'DESC';
    const [sql, params] = qb.select(this.app.orderReads.page.select).orderBy(sort.column, dir).addOrderBy('o.id', dir).limit(size + 1).getQueryAndParameters();
    const rows = await preparedQuery(this.app.ds, sql, params);
    return toConnection(rows.map((row) => this.app.orderReads.page.read(row)), size, ({ order: o }) => [sort.key(o).toISOString(), o.id]);
  }
}
