import { randomUUID } from 'node:crypto';
import { inTransaction } from '../src/common/transaction';
import { DepositEntryKind, DepositReferenceKind } from '../src/modules/deposits/deposit-entry.entity';
import { customer, staff, type Actor } from './support/builders';
import { startTestGateway, type TestGateway } from './support/gateway';

let gw: TestGateway;
let operator: Actor;
beforeAll(async () => {
  gw = await startTestGateway();
  operator = await staff(gw);
});
afterAll(() => gw.close());

const ADJUST = `mutation($input: DepositAdjustInput!) {
  depositAdjust(input: $input) {
    entry { id kind amount { amount currency } balanceAfter { amount currency } reference { kind id } note actorName createdAt }
    balance { amount currency }
    userErrors { code field message }
  }
}`;

const MY_DEPOSIT = `query($first: Int, $after: String) {
  me { deposit { balance { amount currency } entries(first: $first, after: $after) {
    edges { cursor node { kind amount { amount currency } balanceAfter { amount } note } }
    pageInfo { hasNextPage endCursor }
  } } }
}`;

interface AdjustOptions {
  key?: string;
  note?: string;
  currency?: string;
  token?: string;
}

function adjust(accountId: string, amount: string, options: AdjustOptions = {}) {
  return gw.gql(
    ADJUST,
    {
      input: {
        accountId,
        amount: { amount, currency: options.currency ?? 'JPY' },
        note: options.note ?? 'goodwill credit',
        idempotencyKey: options.key ?? randomUUID(),
      },
    },
    { token: options.token ?? operator.token },
  );
}

/** The ledger as the database holds it, oldest entry first. */
async function ledger(accountId: string) {
  const [account] = await gw.app.ds.query(`SELECT balance FROM deposit_account WHERE account_id = $1`, [accountId]);
  const entries: { id: string; amount: string; balance_after: string }[] = await gw.app.ds.query(
    `SELECT id, amount, balance_after FROM deposit_entry WHERE account_id = $1 ORDER BY id`,
    [accountId],
  );
  return {
    balance: account ? BigInt(account.balance) : 0n,
    entries: entries.map((e) => ({ id: e.id, amount: BigInt(e.amount), balanceAfter: BigInt(e.balance_after) })),
  };
}

async function counts() {
  const [row] = await gw.app.ds.query(
    `SELECT (SELECT count(*) FROM deposit_entry)::int AS entries, (SELECT count(*) FROM idempotency_key)::int AS keys`,
  );
  return row as { entries: number; keys: number };
}

/** A customer with `yen` already in their deposit. */
async function customerWith(yen: number): Promise<Actor> {
  const c = await customer(gw);
  if (yen) expect((await adjust(c.id, String(yen))).data.depositAdjust.userErrors).toEqual([]);
  return c;
}

describe('depositAdjust', () => {
  it('credits then debits, recording each entry with the balance after it', async () => {
    // given
    const c = await customer(gw);

    // when
    const credit = (await adjust(c.id, '5000', { note: 'compensation for a late parcel' })).data.depositAdjust;
    const debit = (await adjust(c.id, '-1200', { note: 'correction of a double refund' })).data.depositAdjust;

    // then
    expect(credit).toEqual({
      entry: {
        id: expect.any(String),
        kind: 'ADJUSTMENT',
        amount: { amount: '5000', currency: 'JPY' },
        balanceAfter: { amount: '5000', currency: 'JPY' },
        reference: null,
        note: 'compensation for a late parcel',
        actorName: 'Staff Member',
        createdAt: gw.clock.now().toISOString(),
      },
      balance: { amount: '5000', currency: 'JPY' },
      userErrors: [],
    });
    expect(debit.entry).toMatchObject({ amount: { amount: '-1200' }, balanceAfter: { amount: '3800' } });
    expect(debit.balance).toEqual({ amount: '3800', currency: 'JPY' });

    const mine = (await gw.gql(MY_DEPOSIT, { first: 10 }, { token: c.token })).data.me.deposit;
    expect(mine.balance).toEqual({ amount: '3800', currency: 'JPY' });
    expect(mine.entries.edges.map((e: any) => [e.node.amount.amount, e.node.balanceAfter.amount])).toEqual([
      ['-1200', '3800'],
      ['5000', '5000'],
    ]);
  });

  it('shows a new customer an empty deposit of zero', async () => {
    const c = await customer(gw);
    const res = await gw.gql(MY_DEPOSIT, {}, { token: c.token });
    expect(res.data.me.deposit).toEqual({
      balance: { amount: '0', currency: 'JPY' },
      entries: { edges: [], pageInfo: { hasNextPage: false, endCursor: null } },
    });
  });
});

describe('bad input writes nothing', () => {
  it.each([
    ['an empty note', { note: '' }, ['input', 'note']],
    ['a note of spaces', { note: '   ' }, ['input', 'note']],
    ['a note over 500 characters', { note: 'x'.repeat(501) }, ['input', 'note']],
    ['a zero amount', { amount: '0' }, ['input', 'amount', 'amount']],
    ['a CNY amount', { currency: 'CNY' }, ['input', 'amount', 'currency']],
    ['decimals in JPY', { amount: '100.5' }, ['input', 'amount', 'amount']],
    ['an exponent', { amount: '1e3' }, ['input', 'amount', 'amount']],
    ['an empty idempotency key', { key: '' }, ['input', 'idempotencyKey']],
    ['a 101-character idempotency key', { key: 'k'.repeat(101) }, ['input', 'idempotencyKey']],
    ['an idempotency key with spaces', { key: 'my key' }, ['input', 'idempotencyKey']],
  ])('refuses %s as INVALID on the field', async (_label, change: AdjustOptions & { amount?: string }, field) => {
    // given
    const c = await customerWith(1000);
    const before = await counts();

    // when
    const res = await adjust(c.id, change.amount ?? '500', change);

    // then
    expect(res.data.depositAdjust).toEqual({
      entry: null,
      balance: null,
      userErrors: [{ code: 'INVALID', field, message: expect.any(String) }],
    });
    expect(await counts()).toEqual(before);
    expect((await ledger(c.id)).balance).toBe(1000n);
  });

  it('reports every problem at once', async () => {
    const c = await customer(gw);
    const res = await adjust(c.id, '0', { note: ' ', key: '' });
    expect(res.data.depositAdjust.userErrors.map((e: any) => e.field)).toEqual([
      ['input', 'amount', 'amount'],
      ['input', 'note'],
      ['input', 'idempotencyKey'],
    ]);
  });

  it.each([
    ['an id that is not a UUID', () => 'not-an-id'],
    ['an unknown account', () => randomUUID()],
    ['a staff account', () => operator.id],
  ])('refuses %s as NOT_FOUND', async (_label, target) => {
    const before = await counts();
    const res = await adjust(target(), '500');
    expect(res.data.depositAdjust.userErrors).toEqual([{ code: 'NOT_FOUND', field: ['input', 'accountId'], message: 'No such customer.' }]);
    expect(await counts()).toEqual(before);
  });
});

describe('the balance never goes below zero', () => {
  it('refuses a debit beyond the balance with INSUFFICIENT_DEPOSIT, writing nothing', async () => {
    // given
    const c = await customerWith(1000);
    const before = await counts();

    // when
    const res = await adjust(c.id, '-1001', { key: 'too-much' });

    // then
    expect(res.data.depositAdjust).toEqual({
      entry: null,
      balance: null,
      userErrors: [
        { code: 'INSUFFICIENT_DEPOSIT', field: ['input', 'amount'], message: 'The deposit balance is 1000 JPY; this needs 1001 JPY.' },
      ],
    });
    expect(await counts()).toEqual(before);
    expect((await ledger(c.id)).balance).toBe(1000n);
  });

  it('does not consume the idempotency key of a refused request: a retry runs afresh', async () => {
    const c = await customerWith(1000);
    expect((await adjust(c.id, '-1500', { key: 'retry-me' })).data.depositAdjust.userErrors[0].code).toBe('INSUFFICIENT_DEPOSIT');
    await adjust(c.id, '500');

    const retry = (await adjust(c.id, '-1500', { key: 'retry-me' })).data.depositAdjust;

    expect(retry.userErrors).toEqual([]);
    expect(retry.balance).toEqual({ amount: '0', currency: 'JPY' });
  });

  it('lets a debit take the balance to exactly zero', async () => {
    const c = await customerWith(700);
    expect((await adjust(c.id, '-700')).data.depositAdjust.balance.amount).toBe('0');
  });
});

describe('who may adjust and see deposits', () => {
  it('refuses depositAdjust from a customer with FORBIDDEN, writing nothing', async () => {
    const c = await customer(gw);
    const before = await counts();
    const res = await adjust(c.id, '100000', { token: c.token });
    expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(res.data).toBeNull();
    expect(await counts()).toEqual(before);
  });

  it('refuses depositAdjust without a token with UNAUTHENTICATED', async () => {
    const res = await gw.gql(ADJUST, { input: { accountId: randomUUID(), amount: { amount: '1', currency: 'JPY' }, note: 'n', idempotencyKey: 'k' } });
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('lets staff read a customer’s deposit, and no customer read another’s', async () => {
    // given
    const owner = await customerWith(2500);
    const other = await customer(gw);
    const query = `query($id: ID!) { account(id: $id) { id deposit { balance { amount } entries(first: 1) { nodes { amount { amount } } } } } }`;

    // when
    const asStaff = await gw.gql(query, { id: owner.id }, { token: operator.token });
    const asOther = await gw.gql(query, { id: owner.id }, { token: other.token });

    // then
    expect(asStaff.data.account).toEqual({ id: owner.id, deposit: { balance: { amount: '2500' }, entries: { nodes: [{ amount: { amount: '2500' } }] } } });
    expect(asOther.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(asOther.data).toEqual({ account: null });
    expect((await gw.gql(query, { id: 'nonsense' }, { token: operator.token })).data.account).toBeNull();
  });
});

describe('entries are paginated newest first', () => {
  it('pages with first/after until there is no next page', async () => {
    // given five entries: +1000, +2000, −500, +300, −800
    const c = await customer(gw);
    for (const amount of ['1000', '2000', '-500', '300', '-800']) {
      expect((await adjust(c.id, amount)).data.depositAdjust.userErrors).toEqual([]);
    }

    // when
    const pages = [];
    let after: string | null = null;
    do {
      const res: any = await gw.gql(MY_DEPOSIT, { first: 2, after }, { token: c.token });
      const entries = res.data.me.deposit.entries;
      pages.push({ amounts: entries.edges.map((e: any) => e.node.amount.amount), hasNextPage: entries.pageInfo.hasNextPage });
      expect(entries.pageInfo.endCursor).toBe(entries.edges.at(-1).cursor);
      after = entries.pageInfo.hasNextPage ? entries.pageInfo.endCursor : null;
    } while (after);

    // then
    expect(pages).toEqual([
      { amounts: ['-800', '300'], hasNextPage: true },
      { amounts: ['-500', '2000'], hasNextPage: true },
      { amounts: ['1000'], hasNextPage: false },
    ]);
  });

  it.each([
    ['a cursor it did not give out', { after: 'bm90LWEtY3Vyc29y' }],
    ['a cursor with a non-numeric key', { after: Buffer.from('["1 OR 1=1"]').toString('base64url') }],
    ['more than 100 per page', { first: 101 }],
  ])('refuses %s', async (_label, vars) => {
    const c = await customer(gw);
    const res = await gw.gql(MY_DEPOSIT, vars, { token: c.token });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID' });
  });
});

describe('the database guards the ledger', () => {
  let accountId: string;
  beforeAll(async () => {
    accountId = (await customerWith(1000)).id;
  });

  it.each([
    ['UPDATE of an entry', `UPDATE deposit_entry SET amount = 999999, balance_after = 999999 WHERE account_id = $1`],
    ['UPDATE of an entry’s note', `UPDATE deposit_entry SET note = 'rewritten' WHERE account_id = $1`],
    ['DELETE of an entry', `DELETE FROM deposit_entry WHERE account_id = $1`],
    ['a negative balance', `UPDATE deposit_account SET balance = -1 WHERE account_id = $1`],
    ['a balance moved without an entry', `UPDATE deposit_account SET balance = balance + 100 WHERE account_id = $1`],
    [
      'an entry that does not continue the chain',
      `WITH a AS (UPDATE deposit_account SET balance = balance + 100 WHERE account_id = $1 RETURNING balance)
       INSERT INTO deposit_entry (account_id, kind, amount, balance_after, note, created_at)
       SELECT $1, 'ADJUSTMENT', 100, 5000, 'forged', now() FROM a`,
    ],
    [
      'an entry that leaves the balance behind',
      `INSERT INTO deposit_entry (account_id, kind, amount, balance_after, note, created_at)
       VALUES ($1, 'ADJUSTMENT', 100, 1100, 'no balance move', now())`,
    ],
    [
      'a credit kind with a negative amount',
      `INSERT INTO deposit_entry (account_id, kind, amount, balance_after, reference_kind, reference_id, created_at)
       VALUES ($1, 'REFUND', -100, 900, 'ORDER', gen_random_uuid(), now())`,
    ],
    [
      'a refund with no reference',
      `INSERT INTO deposit_entry (account_id, kind, amount, balance_after, created_at) VALUES ($1, 'REFUND', 100, 1100, now())`,
    ],
    [
      'an adjustment with no note',
      `INSERT INTO deposit_entry (account_id, kind, amount, balance_after, created_at) VALUES ($1, 'ADJUSTMENT', 100, 1100, now())`,
    ],
  ])('refuses %s', async (_label, sql) => {
    const before = await ledger(accountId);
    await expect(gw.app.ds.query(sql, [accountId])).rejects.toThrow();
    expect(await ledger(accountId)).toEqual(before);
  });

  it('refuses TRUNCATE of the entries', async () => {
    await expect(gw.app.ds.query(`TRUNCATE deposit_entry CASCADE`)).rejects.toThrow(/append-only/);
    expect((await counts()).entries).toBeGreaterThan(0);
  });
});

describe('posting from other modules (invoice payments, refunds)', () => {
  it('posts a referenced refund and payment in the caller’s transaction', async () => {
    const c = await customer(gw);
    const order = randomUUID();
    const payment = randomUUID();

    await inTransaction(gw.app.ds, async (tx) => {
      await gw.app.deposits.post(tx, {
        accountId: c.id,
        kind: DepositEntryKind.REFUND,
        amountMinor: 3000n,
        reference: { kind: DepositReferenceKind.ORDER, id: order },
        actorId: null,
        note: 'item sold out',
      });
      const available = await gw.app.deposits.lockBalance(tx, c.id);
      await gw.app.deposits.post(tx, {
        accountId: c.id,
        kind: DepositEntryKind.INVOICE_PAYMENT,
        amountMinor: -(available < 2000n ? available : 2000n),
        reference: { kind: DepositReferenceKind.PAYMENT, id: payment },
        actorId: c.id,
      });
    });

    const page = await gw.app.deposits.entries(c.id, 10, null);
    expect(page.nodes.map((e) => [e.kind, e.amountMinor, e.balanceAfterMinor, e.reference, e.actorName])).toEqual([
      [DepositEntryKind.INVOICE_PAYMENT, -2000n, 1000n, { kind: 'PAYMENT', id: payment }, 'Hanako Yamada'],
      [DepositEntryKind.REFUND, 3000n, 3000n, { kind: 'ORDER', id: order }, null],
    ]);
  });

  it('debits one payment at most once, and refuses a wrong sign or a missing reference', async () => {
    const c = await customerWith(5000);
    const payment = { kind: DepositReferenceKind.PAYMENT, id: randomUUID() };
    const pay = () =>
      inTransaction(gw.app.ds, (tx) =>
        gw.app.deposits.post(tx, { accountId: c.id, kind: DepositEntryKind.INVOICE_PAYMENT, amountMinor: -1000n, reference: payment, actorId: null }),
      );
    await pay();
    await expect(pay()).rejects.toThrow();
    await expect(
      inTransaction(gw.app.ds, (tx) =>
        gw.app.deposits.post(tx, { accountId: c.id, kind: DepositEntryKind.REFUND, amountMinor: -5n, reference: payment, actorId: null }),
      ),
    ).rejects.toThrow(/must be positive/);
    await expect(
      inTransaction(gw.app.ds, (tx) =>
        gw.app.deposits.post(tx, { accountId: c.id, kind: DepositEntryKind.TOP_UP, amountMinor: 5n, reference: null, actorId: null }),
      ),
    ).rejects.toThrow(/needs a reference/);
    expect((await ledger(c.id)).balance).toBe(4000n);
  });
});

describe('races', () => {
  it('keeps balance = SUM(entries) = last balanceAfter under 100 concurrent credits and debits', async () => {
    // given 5,000 yen, then 100 adjustments at once whose debits outrun the credits
    const c = await customerWith(5000);
    const amounts = Array.from({ length: 100 }, (_, i) => (i % 3 === 0 ? 700 : -(300 + ((i * 37) % 900))));

    // when
    const started = Date.now();
    const results = await Promise.all(amounts.map((a) => adjust(c.id, String(a))));
    const elapsedMs = Date.now() - started;

    // then
    for (const res of results) {
      expect(res.status).toBe(200);
      expect(res.errors).toBeUndefined();
      const codes = res.data.depositAdjust.userErrors.map((e: any) => e.code);
      expect([[], ['INSUFFICIENT_DEPOSIT']]).toContainEqual(codes);
    }
    const applied = results.filter((r) => r.data.depositAdjust.entry).map((r) => BigInt(r.data.depositAdjust.entry.amount.amount));
    const refused = results.length - applied.length;
    expect(applied.length).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);

    const { balance, entries } = await ledger(c.id);
    expect(entries).toHaveLength(1 + applied.length);
    const sum = entries.reduce((s, e) => s + e.amount, 0n);
    expect(balance).toBe(sum);
    expect(balance).toBe(5000n + applied.reduce((s, a) => s + a, 0n));
    expect(entries.at(-1)!.balanceAfter).toBe(balance);
    let running = 0n;
    for (const entry of entries) {
      running += entry.amount;
      expect(entry.balanceAfter).toBe(running);
      expect(entry.balanceAfter).toBeGreaterThanOrEqual(0n);
    }
    // Each payload's balance is the balanceAfter of its own entry in the chain.
    const chain = new Map(entries.map((e) => [e.id, e.balanceAfter]));
    for (const res of results.filter((r) => r.data.depositAdjust.entry)) {
      expect(BigInt(res.data.depositAdjust.balance.amount)).toBe(chain.get(res.data.depositAdjust.entry.id));
    }
    console.log(`100 concurrent depositAdjust: ${applied.length} applied, ${refused} refused, ${elapsedMs} ms`);
  });

  it('moves money once for 50 concurrent retries with one idempotency key, all answered alike', async () => {
    // given
    const c = await customerWith(10_000);
    const key = randomUUID();
    const before = await ledger(c.id);

    // when
    const results = await Promise.all(Array.from({ length: 50 }, () => adjust(c.id, '-2500', { key, note: 'refund fee' })));

    // then
    const payloads = results.map((r) => r.data.depositAdjust);
    expect(payloads[0].userErrors).toEqual([]);
    for (const p of payloads) expect(p).toEqual(payloads[0]);
    const after = await ledger(c.id);
    expect(after.entries).toHaveLength(before.entries.length + 1);
    expect(after.balance).toBe(7500n);
  });

  it('replays the first result, balance included, after the deposit has moved on', async () => {
    const c = await customerWith(1000);
    const first = (await adjust(c.id, '500', { key: 'replay-later' })).data.depositAdjust;
    await adjust(c.id, '-1200');

    const replay = (await adjust(c.id, '500', { key: 'replay-later' })).data.depositAdjust;

    expect(replay).toEqual(first);
    expect(replay.balance.amount).toBe('1500');
    expect((await ledger(c.id)).balance).toBe(300n);
  });

  it('refuses the same key with a different request as IDEMPOTENCY_KEY_REUSED, writing nothing', async () => {
    // given
    const c = await customerWith(1000);
    const key = randomUUID();
    expect((await adjust(c.id, '-100', { key })).data.depositAdjust.userErrors).toEqual([]);
    const before = await counts();

    // when
    const otherAmount = await adjust(c.id, '-200', { key });
    const otherNote = await adjust(c.id, '-100', { key, note: 'something else' });

    // then
    for (const res of [otherAmount, otherNote]) {
      expect(res.data.depositAdjust).toEqual({
        entry: null,
        balance: null,
        userErrors: [{ code: 'IDEMPOTENCY_KEY_REUSED', field: ['input', 'idempotencyKey'], message: expect.any(String) }],
      });
    }
    expect(await counts()).toEqual(before);
    expect((await ledger(c.id)).balance).toBe(900n);
  });

  it('keeps each staff member’s keys apart', async () => {
    const c = await customer(gw);
    const colleague = await staff(gw);
    await adjust(c.id, '100', { key: 'shared-key' });
    const theirs = (await adjust(c.id, '300', { key: 'shared-key', token: colleague.token })).data.depositAdjust;
    expect(theirs.userErrors).toEqual([]);
    expect((await ledger(c.id)).balance).toBe(400n);
  });
});
