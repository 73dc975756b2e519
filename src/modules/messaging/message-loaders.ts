import type { Context } from '../../app/context';
import { preparedQuery } from '../../app/data-source';
import { groupBy, pagesPerParent } from '../../app/loaders';
import { rowJson, type PackedRow } from '../../app/row-json';
import type { DataSource } from 'typeorm';
import { toConnection, type ConnectionShape } from '../../common/pagination';
import { Attachment } from '../attachments/attachment.entity';
import { Message } from './message.entity';

/** SQL: the files of message row `m`, in the order sent, as one JSON array (see RowJson). */
function filesSql(ds: DataSource, m: string): string {
  const files = rowJson(ds, Attachment);
  return `(SELECT coalesce(json_agg(${files.sql('a')} ORDER BY a.position), '[]') FROM ${files.table} a WHERE a.message_id = ${m}.id)`;
}

/** The select list for message row `m` and its files. */
function messageSelect(ctx: Context, m: string): string {
  return `${rowJson(ctx.app.ds, Message).sql(m)} AS message, ${filesSql(ctx.app.ds, m)} AS attachments`;
}

/** A message with its files, packed (see RowJson). */
export type MessageRow = { message: PackedRow; attachments: PackedRow[] };

/** Messages by id with their files, in one statement (live `messageAdded`); missing ones are left out. */
export function messageRowsByIds(ds: DataSource, ids: readonly string[]): Promise<MessageRow[]> {
  return preparedQuery(ds, `SELECT ${rowJson(ds, Message).sql('m')} AS message, ${filesSql(ds, 'm')} AS attachments FROM ${rowJson(ds, Message).table} m WHERE m.id = ANY($1)`, [ids]);
}

/** The message of a row, its files kept for this request's `attachments` field. */
export function rememberMessage(ctx: Context, row: MessageRow): Message {
  return remember(ctx, row);
}

/** Reads a row of `messageSelect` and keeps its files for the `attachments` field. */
function remember(ctx: Context, row: MessageRow): Message {
  const message = rowJson(ctx.app.ds, Message).read(row.message);
  attachmentLoader(ctx).prime(message.id, rowJson(ctx.app.ds, Attachment).readAll(row.attachments));
  return message;
}

function attachmentLoader(ctx: Context) {
  // Only messages a mutation returns get here: every read below brings its files along.
  return ctx.loaders.get<string, Attachment[]>('message.attachments', async (ids) => {
    const files = rowJson(ctx.app.ds, Attachment);
    const rows: { row: PackedRow }[] = await preparedQuery(
      ctx.app.ds,
      `SELECT ${files.sql('a')} AS row FROM ${files.table} a WHERE a.message_id = ANY($1) ORDER BY a.position`,
      [ids],
    );
    return groupBy(ids, files.readAll(rows.map((r) => r.row)), (a) => a.messageId!);
  });
}

/** A message's files, in the order they were sent. */
export function attachmentsOf(ctx: Context, messageId: string): Promise<Attachment[]> {
  return attachmentLoader(ctx).load(messageId);
}

/**
 * A page of each order's thread, oldest first, with the files: one statement for all the
 * orders of a request that ask for the same page.
 */
export function messagePageOf(ctx: Context, orderId: string, first: number, after: string | null | undefined): Promise<ConnectionShape<Message>> {
  return pageLoader(ctx, first, after).load(orderId);
}

/**
 * SQL over order alias `o`: the order's thread after seq `$afterSeq` (null: from the start), at
 * most `$limit` messages, with their files, as one JSON array; for `rememberThreadPage`. Lets
 * the order's own statement bring the page its screen asks for (app/look-ahead.ts).
 */
export function threadPageSql(ds: DataSource, afterSeq: string, limit: string): string {
  const messages = rowJson(ds, Message);
  return `(SELECT coalesce(json_agg(json_build_array(${messages.sql('m')}, ${filesSql(ds, 'm')}) ORDER BY m.seq), '[]')
    FROM (SELECT * FROM ${messages.table} w WHERE w.order_id = o.id AND (${afterSeq}::bigint IS NULL OR w.seq > ${afterSeq}::bigint) ORDER BY w.seq LIMIT ${limit}) m)`;
}

/** Keeps a page `threadPageSql` read (first + 1 rows) as this request's `messages(first, after)` of the order. */
export function rememberThreadPage(ctx: Context, orderId: string, first: number, after: string | null, rows: [PackedRow, PackedRow[]][]): void {
  const messages = rows.map(([message, attachments]) => remember(ctx, { message, attachments }));
  pageLoader(ctx, first, after).prime(orderId, toConnection(messages, first, (m) => [m.seq]));
}

function pageLoader(ctx: Context, first: number, after: string | null | undefined) {
  return ctx.loaders
    .get<string, ConnectionShape<Message>>(`order.messages:${first}:${after ?? ''}`, (ids) =>
      pagesPerParent(ctx.app.ds, {
        table: rowJson(ctx.app.ds, Message).table,
        parent: 'order_id',
        key: 'seq',
        select: messageSelect(ctx, 'r'),
        read: (row) => remember(ctx, row),
        parentIds: ids,
        first,
        after,
        parentOf: (m) => m.orderId,
        keyOf: (m) => m.seq,
      }),
    );
}

/** The customer's questions for the seller about each item, oldest first, with the files. */
export function sellerQuestionsOf(ctx: Context, itemId: string): Promise<Message[]> {
  return ctx.loaders
    .get<string, Message[]>('item.sellerQuestions', async (ids) => {
      const rows = await preparedQuery(
        ctx.app.ds,
        `SELECT ${messageSelect(ctx, 'm')} FROM ${rowJson(ctx.app.ds, Message).table} m
          WHERE m.item_id = ANY($1) AND m.ask_seller_before_purchase ORDER BY m.seq`,
        [ids],
      );
      return groupBy(ids, rows.map((row: Parameters<typeof remember>[1]) => remember(ctx, row)), (m) => m.itemId!);
    })
    .load(itemId);
}
