import { In, type EntityTarget, type ObjectLiteral } from 'typeorm';
import { createStaff, detailedOrder, GENEROUS_RATE_LIMITS, registerCustomer, type Actor } from '../bench/seed';
import { BENCH_DETAIL, BENCH_LIST } from '../bench/queries';
import { preparedQuery, sqlStatementCount } from '../src/app/data-source';
import { rowJson, wasRead, type PackedRow } from '../src/app/row-json';
import { Account } from '../src/modules/accounts/account.entity';
import { Attachment } from '../src/modules/attachments/attachment.entity';
import { Invoice } from '../src/modules/invoices/invoice.entity';
import { Message } from '../src/modules/messaging/message.entity';
import { OrderEvent } from '../src/modules/orders/order-event.entity';
import { OrderItem } from '../src/modules/orders/order-item.entity';
import { Order } from '../src/modules/orders/order.entity';
import { startTestGateway, type TestGateway } from './support/gateway';

// The read models (orders/order-read-model.ts, messaging/message-loaders.ts) hydrate entities
// from JSON PostgreSQL builds (app/row-json.ts) instead of through TypeORM. Whatever they give
// must be exactly what TypeORM gives: same class, same values, bigints and dates included.
let gw: TestGateway;
let clerk: Actor;
let owner: Actor;
let orderId: string;
beforeAll(async () => {
  gw = await startTestGateway({ RATE_LIMITS: GENEROUS_RATE_LIMITS, GRAPHQL_MAX_COST: '10000000' });
  clerk = await createStaff(gw.app);
  owner = await registerCustomer(gw);
  // Both invoices, items bought and inspected, messages with files, a seller question: every column filled somewhere.
  orderId = (await detailedOrder(gw, owner, clerk, { items: 3, messages: 4, secondInvoice: true })).id;
});
afterAll(() => gw.close());

async function packedAndLoaded<T extends ObjectLiteral>(entity: EntityTarget<T>, where: string, ids: string[]) {
  const ds = gw.app.ds;
  const reader = rowJson(ds, entity);
  const rows = await preparedQuery<{ row: PackedRow; id: string }>(ds, `SELECT ${reader.sql('r')} AS row, r.id::text AS id FROM ${reader.table} r WHERE r.${where} = ANY($1) ORDER BY r.id`, [ids]);
  const loaded = await ds.getRepository(entity).find({ where: { [where === 'id' ? 'id' : 'orderId']: In(ids) } as never, order: { id: 'ASC' } as never });
  // Lazily read entities hold their values behind getters: compare what each column reads as.
  const columns = ds.getMetadata(entity).columns;
  const values = (list: T[]) => list.map((e) => Object.fromEntries(columns.map((c) => [c.propertyPath, c.getEntityValue(e)])));
  const packed = rows.map((r) => reader.read(r.row));
  for (const e of packed) expect(e).toBeInstanceOf(ds.getMetadata(entity).target as Function);
  return { packed: values(packed), loaded: values(loaded), entities: { packed, loaded } };
}

describe('entities read from PostgreSQL-built JSON (RowJson)', () => {
  it.each([
    ['Order', Order, 'id'],
    ['OrderItem', OrderItem, 'order_id'],
    ['Invoice', Invoice, 'order_id'],
    ['Message', Message, 'order_id'],
    ['Attachment', Attachment, 'order_id'],
    ['OrderEvent', OrderEvent, 'order_id'],
  ] as const)('gives the same %s as TypeORM: class, every column, bigints and timestamps', async (_name, entity, where) => {
    const { packed, loaded, entities } = await packedAndLoaded(entity as EntityTarget<ObjectLiteral>, where, [orderId]);
    expect(loaded.length).toBeGreaterThan(0);
    expect(packed).toStrictEqual(loaded);
    if (entity === Order) expect(entities.packed[0].deliveryAddress).toStrictEqual(entities.loaded[0].deliveryAddress);
  });

  it('gives the same Account as TypeORM (the viewer of every request)', async () => {
    const { packed, loaded } = await packedAndLoaded(Account, 'id', [owner.id, clerk.id]);
    expect(loaded).toHaveLength(2);
    expect(packed).toStrictEqual(loaded);
  });

  it('refuses to hand out a left-out column as if it were empty, and takes it once assigned', async () => {
    const reader = rowJson(gw.app.ds, Invoice, { defer: ['storedLines', 'pricing'] });
    const [row] = await preparedQuery<{ row: PackedRow }>(gw.app.ds, `SELECT ${reader.sql('v')} AS row FROM invoice v WHERE v.order_id = $1 LIMIT 1`, [orderId]);
    const invoice = reader.read(row.row);
    expect(wasRead(invoice, 'storedLines')).toBe(false);
    expect(wasRead(invoice, 'totalMinor')).toBe(true);
    expect(() => invoice.storedLines).toThrow(/Invoice.storedLines was left out/);
    expect(invoice.total.amount).toMatch(/^\d+$/);
    invoice.storedLines = [];
    expect(wasRead(invoice, 'storedLines')).toBe(true);
    expect(invoice.storedLines).toEqual([]);
  });
});

describe('the order screens', () => {
  it('answer invoice lines on a page of orders exactly as on the order itself (loaded when asked)', async () => {
    const lines = '{ kind description itemId quantity amount { amount currency } sourceAmount { amount currency } }';
    const list = await gw.gql(`{ orders(first: 5) { nodes { id firstInvoice { id lines ${lines} } secondInvoice { lines ${lines} } } } }`, {}, { token: owner.token });
    const detail = await gw.gql(`query($id: ID!) { order(id: $id) { firstInvoice { id lines ${lines} } secondInvoice { lines ${lines} } } }`, { id: orderId }, { token: owner.token });
    expect(list.errors).toBeUndefined();
    const fromList = list.data.orders.nodes.find((o: { id: string }) => o.id === orderId);
    expect(detail.data.order.firstInvoice.lines.length).toBeGreaterThan(3);
    expect(fromList.firstInvoice).toEqual(detail.data.order.firstInvoice);
    expect(fromList.secondInvoice).toEqual(detail.data.order.secondInvoice);
  });

  it('cost two statements for the detail (viewer; order with items, invoices and its message page) and two for a page of orders', async () => {
    const count = async (query: string, variables: Record<string, unknown>) => {
      const before = sqlStatementCount(gw.app.ds);
      const res = await gw.gql(query, variables, { token: owner.token });
      expect(res.errors).toBeUndefined();
      return sqlStatementCount(gw.app.ds) - before;
    };
    expect(await count(BENCH_DETAIL, { id: orderId })).toBe(2);
    expect(await count(BENCH_LIST, { first: 50 })).toBe(2);
  });
});

describe('the thread read with the order (look-ahead)', () => {
  const MESSAGES = '{ nodes { id title body readAt author { side name } attachments { id filename byteSize } } pageInfo { hasNextPage endCursor } }';
  // A fragment turns the look-ahead off: the messages field then loads its own page.
  const withLookAhead = `query($id: ID!, $first: Int!, $after: String) { order(id: $id) { id messages(first: $first, after: $after) ${MESSAGES} } }`;
  const withoutLookAhead = `query($id: ID!, $first: Int!, $after: String) { order(id: $id) { id ...thread } } fragment thread on Order { messages(first: $first, after: $after) ${MESSAGES} }`;

  it('gives the same pages, cursors included, as the messages field reading them itself', async () => {
    let after: string | null = null;
    const pages = [];
    for (let i = 0; i < 3; i++) {
      const a: { data?: any; errors?: unknown } = await gw.gql(withLookAhead, { id: orderId, first: 2, after }, { token: owner.token });
      const b = await gw.gql(withoutLookAhead, { id: orderId, first: 2, after }, { token: owner.token });
      expect(a.errors).toBeUndefined();
      expect(a.data).toEqual(b.data);
      pages.push(a.data.order.messages);
      after = a.data.order.messages.pageInfo.endCursor;
    }
    expect(pages.map((p) => p.nodes.length)).toEqual([2, 2, 0]);
    expect(pages.map((p) => p.pageInfo.hasNextPage)).toEqual([true, false, false]);
  });

  it('leaves bad page arguments to the messages field, which refuses them as before', async () => {
    const res = await gw.gql(withLookAhead, { id: orderId, first: 101, after: null }, { token: owner.token });
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0].path).toEqual(['order', 'messages']);
    const tampered = await gw.gql(withLookAhead, { id: orderId, first: 2, after: 'not-a-cursor' }, { token: owner.token });
    expect(tampered.errors?.[0].path).toEqual(['order', 'messages']);
  });

  it('reads nothing of someone else’s thread: their order is null', async () => {
    const stranger = await registerCustomer(gw);
    const res = await gw.gql(withLookAhead, { id: orderId, first: 2, after: null }, { token: stranger.token });
    expect(res.data.order).toBeNull();
  });
});
