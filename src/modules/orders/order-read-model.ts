import type { DataSource } from 'typeorm';
import { preparedQuery } from '../../app/data-source';
import { rowJson, type PackedRow, type RowJson } from '../../app/row-json';
import { Invoice } from '../invoices/invoice.entity';
import { MessageSide } from '../messaging/message.entity';
import { threadPageSql } from '../messaging/message-loaders';
import { OrderItem } from './order-item.entity';
import { Order } from './order.entity';

/** What the order screens show beside the order row; read with it in the same statement. */
export interface OrderBundle {
  /** Every item, cancelled ones too, in the order entered. */
  items: OrderItem[];
  invoices: Invoice[];
  /** Messages from the other side not yet read, per reading side. */
  unread: Record<MessageSide, number>;
}

export interface OrderRead {
  order: Order;
  bundle: OrderBundle;
  /** A page of the thread, when it was asked for with the order (see `byIds`). */
  thread?: [PackedRow, PackedRow[]][];
}

/** A page of the thread to read with the order: after seq `afterKey`, `limit` messages. */
export interface ThreadPage {
  afterKey: string | null;
  limit: number;
}

type Row = { order: PackedRow; items: PackedRow[]; invoices: PackedRow[]; unread_customer: number; unread_staff: number };

/** A select list over alias `o` (customer_order) and the reader of its rows. */
export interface OrderReadShape {
  select: string;
  read(row: Row): OrderRead;
}

/**
 * The order as the order screens read it: the order row, its items, its invoices and the unread
 * counts, in ONE statement for any number of orders (PostgreSQL packs the related rows into
 * JSON). `order`, `orders` and every Order field that needs these read from here, so the detail
 * screen costs a fixed two statements (viewer; order with its message page) and a list page two.
 * Writes never go through here: services lock and load entities in their transaction.
 */
export class OrderReadModel {
  /** Everything, for one order's screen. */
  readonly detail: OrderReadShape;
  /**
   * For a page of orders: invoices without their lines and pricing rule, the largest part of
   * a page and rarely shown there (`Invoice.lines` loads them when asked).
   */
  readonly page: OrderReadShape;

  constructor(ds: DataSource) {
    this.detail = shape(ds, rowJson(ds, Invoice));
    this.page = shape(ds, rowJson(ds, Invoice, { defer: ['storedLines', 'pricing'] }));
  }

  /** The orders with these ids (any order; missing ones are left out), with a page of each thread if given. */
  async byIds(ds: DataSource, ids: readonly string[], thread?: ThreadPage): Promise<OrderRead[]> {
    const withThread = thread ? `, ${threadPageSql(ds, '$2', '$3')} AS thread` : '';
    const rows = await preparedQuery<Row & { thread?: OrderRead['thread'] }>(
      ds,
      `SELECT ${this.detail.select}${withThread} FROM ${rowJson(ds, Order).table} o WHERE o.id = ANY($1)`,
      thread ? [ids, thread.afterKey, thread.limit] : [ids],
    );
    return rows.map((row) => ({ ...this.detail.read(row), thread: row.thread }));
  }
}

function shape(ds: DataSource, invoices: RowJson<Invoice>): OrderReadShape {
  const orders = rowJson(ds, Order);
  const items = rowJson(ds, OrderItem);
  const unreadBy = (reader: MessageSide) =>
    `(SELECT count(*)::int FROM message m WHERE m.order_id = o.id AND m.author_side <> '${reader}' AND m.read_at IS NULL)`;
  return {
    select: [
      `${orders.sql('o')} AS "order"`,
      `(SELECT coalesce(json_agg(${items.sql('i')} ORDER BY i.position), '[]') FROM ${items.table} i WHERE i.order_id = o.id) AS items`,
      `(SELECT coalesce(json_agg(${invoices.sql('v')} ORDER BY v.kind), '[]') FROM ${invoices.table} v WHERE v.order_id = o.id) AS invoices`,
      `${unreadBy(MessageSide.CUSTOMER)} AS unread_customer`,
      `${unreadBy(MessageSide.STAFF)} AS unread_staff`,
    ].join(',\n'),
    read: (row) => ({
      order: orders.read(row.order),
      bundle: {
        items: items.readAll(row.items),
        invoices: invoices.readAll(row.invoices),
        unread: { [MessageSide.CUSTOMER]: row.unread_customer, [MessageSide.STAFF]: row.unread_staff },
      },
    }),
  };
}
