import { randomUUID } from 'node:crypto';
import { accountMadeDirectly, creditDeposit, customer, staff, type Actor } from './support/builders';
import { startTestGateway, type TestGateway } from './support/gateway';
import { Role } from '../src/modules/accounts/account.entity';

let gw: TestGateway;
let clerk: Actor;
beforeAll(async () => {
  gw = await startTestGateway();
  clerk = await staff(gw);
});
afterAll(() => gw.close());

const FIELDS = `id status source amount { amount currency } awaitingBankAccount accountId orderId transferReference decisionNote requestedAt decidedAt
  bankAccount { bankName branchName accountType accountNumber accountHolderKana }`;
const REQUEST = `mutation($input: DepositWithdrawalRequestInput!) { depositWithdrawalRequest(input: $input) {
  withdrawal { ${FIELDS} } balance { amount } userErrors { code field message } } }`;
const COMPLETE = `mutation($input: DepositWithdrawalCompleteInput!) { depositWithdrawalComplete(input: $input) { withdrawal { ${FIELDS} } userErrors { code field message } } }`;
const REJECT = `mutation($input: DepositWithdrawalRejectInput!) { depositWithdrawalReject(input: $input) { withdrawal { ${FIELDS} } userErrors { code field message } } }`;
const QUEUE = `query($filter: WithdrawalsFilter, $first: Int, $after: String) { withdrawals(filter: $filter, first: $first, after: $after) {
  nodes { id status amount { amount } accountId } pageInfo { hasNextPage endCursor } } }`;
const MINE = `{ me { deposit { balance { amount } lastBankAccount { accountNumber accountHolderKana } withdrawals(first: 5) { nodes { id status amount { amount } } } } } }`;

const ACCOUNT = { bankName: 'みずほ銀行', branchName: '渋谷支店', accountType: 'ORDINARY', accountNumber: '１２３４５６７', accountHolderKana: 'ﾔﾏﾀﾞ ﾊﾅｺ' };

function request(who: Actor, amount: string, overrides: Record<string, unknown> = {}, key = randomUUID()) {
  return gw.gql(REQUEST, { input: { amount: { amount, currency: 'JPY' }, bankAccount: ACCOUNT, idempotencyKey: key, ...overrides } }, { token: who.token });
}
const complete = (id: string, transferReference = 'TR-0001', token = clerk.token) => gw.gql(COMPLETE, { input: { withdrawalId: id, transferReference } }, { token });
const reject = (id: string, note = '口座名義が一致しません', token = clerk.token) => gw.gql(REJECT, { input: { withdrawalId: id, note } }, { token });

async function ledger(accountId: string) {
  const [row] = await gw.app.ds.query(
    `SELECT (SELECT balance FROM deposit_account WHERE account_id = $1)::text AS balance,
            (SELECT coalesce(sum(amount), 0) FROM deposit_entry WHERE account_id = $1)::text AS sum,
            (SELECT min(balance_after) FROM deposit_entry WHERE account_id = $1)::text AS lowest,
            (SELECT count(*) FROM deposit_entry WHERE account_id = $1 AND kind = 'WITHDRAWAL_HOLD')::int AS holds,
            (SELECT count(*) FROM deposit_entry WHERE account_id = $1 AND kind = 'WITHDRAWAL_RELEASE')::int AS releases`,
    [accountId],
  );
  return row as { balance: string; sum: string; lowest: string; holds: number; releases: number };
}

describe('deposit withdrawals', () => {
  it('holds the amount at once, normalises the bank account, and staff complete it from the queue', async () => {
    const owner = await customer(gw);
    await creditDeposit(gw, clerk, owner.id, 10_000);

    const asked = (await request(owner, '3000')).data.depositWithdrawalRequest;

    expect(asked.userErrors).toEqual([]);
    expect(asked.balance.amount).toBe('7000');
    expect(asked.withdrawal).toMatchObject({
      status: 'REQUESTED', source: 'DEPOSIT', amount: { amount: '3000', currency: 'JPY' }, awaitingBankAccount: false, accountId: owner.id, orderId: null,
      bankAccount: { bankName: 'みずほ銀行', branchName: '渋谷支店', accountType: 'ORDINARY', accountNumber: '1234567', accountHolderKana: 'ヤマダ ハナコ' },
    });
    const queue = (await gw.gql(QUEUE, { filter: { accountId: owner.id } }, { token: clerk.token })).data.withdrawals;
    expect(queue.nodes.map((n: { id: string }) => n.id)).toEqual([asked.withdrawal.id]);

    const done = (await complete(asked.withdrawal.id, ' 振込 20260401-01 ')).data.depositWithdrawalComplete;
    expect(done.userErrors).toEqual([]);
    expect(done.withdrawal).toMatchObject({ status: 'COMPLETED', transferReference: '振込 20260401-01', decidedAt: expect.any(String) });
    expect((await complete(asked.withdrawal.id)).data.depositWithdrawalComplete.userErrors[0]).toMatchObject({ code: 'INVALID_STATE', field: ['input', 'withdrawalId'] });
    expect((await reject(asked.withdrawal.id)).data.depositWithdrawalReject.userErrors[0].code).toBe('INVALID_STATE');

    const mine = (await gw.gql(MINE, {}, { token: owner.token })).data.me.deposit;
    expect(mine.balance.amount).toBe('7000');
    expect(mine.lastBankAccount).toEqual({ accountNumber: '1234567', accountHolderKana: 'ヤマダ ハナコ' });
    expect(mine.withdrawals.nodes).toEqual([{ id: asked.withdrawal.id, status: 'COMPLETED', amount: { amount: '3000' } }]);
    expect(await ledger(owner.id)).toMatchObject({ balance: '7000', sum: '7000', holds: 1, releases: 0 });
    const empty = (await gw.gql(QUEUE, { filter: { accountId: owner.id } }, { token: clerk.token })).data.withdrawals;
    expect(empty.nodes).toEqual([]);
  });

  it('gives a rejected withdrawal back to the deposit, with the note', async () => {
    const owner = await customer(gw);
    await creditDeposit(gw, clerk, owner.id, 5000);
    const asked = (await request(owner, '5000')).data.depositWithdrawalRequest;
    expect(asked.balance.amount).toBe('0');

    const refused = (await reject(asked.withdrawal.id, '  名義がご本人と異なります ')).data.depositWithdrawalReject;

    expect(refused.userErrors).toEqual([]);
    expect(refused.withdrawal).toMatchObject({ status: 'REJECTED', decisionNote: '名義がご本人と異なります' });
    expect(await ledger(owner.id)).toMatchObject({ balance: '5000', sum: '5000', holds: 1, releases: 1 });
    const entries = await gw.app.ds.query(`SELECT kind, amount::text, reference_kind, reference_id FROM deposit_entry WHERE account_id = $1 ORDER BY id`, [owner.id]);
    expect(entries.slice(1)).toEqual([
      { kind: 'WITHDRAWAL_HOLD', amount: '-5000', reference_kind: 'WITHDRAWAL', reference_id: asked.withdrawal.id },
      { kind: 'WITHDRAWAL_RELEASE', amount: '5000', reference_kind: 'WITHDRAWAL', reference_id: asked.withdrawal.id },
    ]);
  });

  it('refuses more than the balance, bad accounts and amounts, and replays a key', async () => {
    const owner = await customer(gw);
    await creditDeposit(gw, clerk, owner.id, 1000);

    expect((await request(owner, '1001')).data.depositWithdrawalRequest.userErrors).toEqual([expect.objectContaining({ code: 'INSUFFICIENT_DEPOSIT', field: ['input', 'amount'] })]);
    const bad = (await request(owner, '0', { bankAccount: { ...ACCOUNT, bankName: ' ', accountNumber: '123456', accountHolderKana: '山田花子' } })).data.depositWithdrawalRequest;
    expect(bad.userErrors.map((e: { field: string[] }) => e.field.join('.'))).toEqual([
      'input.amount.amount', 'input.bankAccount.bankName', 'input.bankAccount.accountNumber', 'input.bankAccount.accountHolderKana',
    ]);
    expect((await request(owner, '10.5')).data.depositWithdrawalRequest.userErrors[0].code).toBe('INVALID');

    const key = randomUUID();
    const first = (await request(owner, '400', { bankAccount: { ...ACCOUNT, accountHolderKana: 'やまだ　はなこ' } }, key)).data.depositWithdrawalRequest;
    expect(first.withdrawal.bankAccount.accountHolderKana).toBe('ヤマダ ハナコ');
    const again = (await request(owner, '400', { bankAccount: { ...ACCOUNT, accountHolderKana: 'やまだ　はなこ' } }, key)).data.depositWithdrawalRequest;
    expect(again).toMatchObject({ withdrawal: { id: first.withdrawal.id }, balance: { amount: '600' }, userErrors: [] });
    expect((await request(owner, '500', {}, key)).data.depositWithdrawalRequest.userErrors[0].code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await ledger(owner.id)).toMatchObject({ balance: '600', holds: 1 });
  });

  it('is the customer’s own: staff cannot ask, customers cannot decide, unknown ids are NOT_FOUND', async () => {
    const owner = await customer(gw);
    await creditDeposit(gw, clerk, owner.id, 1000);
    const asStaff = await request(clerk, '100');
    expect(asStaff.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const asked = (await request(owner, '100')).data.depositWithdrawalRequest.withdrawal;
    expect((await complete(asked.id, 'x', owner.token)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await gw.gql(QUEUE, {}, { token: owner.token })).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await complete(randomUUID())).data.depositWithdrawalComplete.userErrors[0].code).toBe('NOT_FOUND');
    expect((await complete(asked.id, '  ')).data.depositWithdrawalComplete.userErrors[0]).toMatchObject({ code: 'INVALID', field: ['input', 'transferReference'] });
    expect((await reject(asked.id, ' ')).data.depositWithdrawalReject.userErrors[0]).toMatchObject({ code: 'INVALID', field: ['input', 'note'] });
  });

  it('never overdraws: 20 concurrent requests on one balance, then completions and rejections keep ledger = balance', async () => {
    const owner = await accountMadeDirectly(gw, Role.CUSTOMER);
    await creditDeposit(gw, clerk, owner.id, 10_000);

    const results = await Promise.all(Array.from({ length: 20 }, () => request(owner, '700')));

    const payloads = results.map((r) => r.data.depositWithdrawalRequest);
    const granted = payloads.filter((p) => p.userErrors.length === 0);
    const refused = payloads.filter((p) => p.userErrors.length > 0);
    expect(granted).toHaveLength(14); // 14 × 700 = 9,800 of 10,000
    expect(refused.every((p) => p.userErrors[0].code === 'INSUFFICIENT_DEPOSIT')).toBe(true);
    let state = await ledger(owner.id);
    expect(state).toMatchObject({ balance: '200', sum: '200', holds: 14 });
    expect(BigInt(state.lowest)).toBeGreaterThanOrEqual(0n);

    const ids = granted.map((p) => p.withdrawal.id);
    const decisions = await Promise.all(ids.map((id, i) => (i % 2 ? reject(id, '振込先に誤りがあります') : complete(id, `TR-${i}`))));
    expect(decisions.every((d) => (d.data.depositWithdrawalComplete ?? d.data.depositWithdrawalReject).userErrors.length === 0)).toBe(true);
    state = await ledger(owner.id);
    expect(state).toMatchObject({ balance: String(200 + 7 * 700), sum: String(200 + 7 * 700), holds: 14, releases: 7 });
  });

  it('lists the queue oldest first, page by page', async () => {
    const owner = await customer(gw);
    await creditDeposit(gw, clerk, owner.id, 300);
    const ids: string[] = [];
    for (const amount of ['100', '100', '100']) ids.push((await request(owner, amount)).data.depositWithdrawalRequest.withdrawal.id);
    const page1 = (await gw.gql(QUEUE, { filter: { accountId: owner.id }, first: 2 }, { token: clerk.token })).data.withdrawals;
    const page2 = (await gw.gql(QUEUE, { filter: { accountId: owner.id }, first: 2, after: page1.pageInfo.endCursor }, { token: clerk.token })).data.withdrawals;
    expect([...page1.nodes, ...page2.nodes].map((n: { id: string }) => n.id)).toEqual(ids);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    expect(page2.pageInfo.hasNextPage).toBe(false);
  });
});
