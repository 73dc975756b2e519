import { randomBytes } from 'node:crypto';
import { loadConfig } from '../src/app/config';
import { DEFAULT_LIMITS } from '../src/app/rate-limits';
import { createStaff, SMALL_PDF, type Actor } from '../bench/seed';
import { submitOrder } from './support/builders';
import { startTestGateway, type TestGateway } from './support/gateway';

// Limits lowered so that a test reaches them in a few calls; client addresses come from
// X-Forwarded-For, trusted here as from a load balancer on this machine (TRUST_PROXY).
let gw: TestGateway;
let clerk: Actor;
beforeAll(async () => {
  gw = await startTestGateway({
    TRUST_PROXY: 'loopback',
    RATE_LIMITS: 'loginEmail=3/1h,loginIp=4/1h,register=2/1h,message=2/1m,uploadFiles=3/1h',
  });
  clerk = await createStaff(gw.app);
});
afterAll(() => gw.close());

let lastAddress = 0;
const newAddress = () => `203.0.113.${++lastAddress}`;
const from = (ip: string, token?: string) => ({ headers: { 'x-forwarded-for': ip }, ...(token ? { token } : {}) });

const REGISTER = `mutation($input: AccountRegisterInput!) { accountRegister(input: $input) { token account { id } userErrors { code } } }`;
const LOGIN = `mutation($input: AccountLoginInput!) { accountLogin(input: $input) { token userErrors { code } } }`;
const PASSWORD = 'correct horse battery';

async function signUp(ip = newAddress()) {
  const email = `rl-${randomBytes(4).toString('hex')}@example.jp`;
  const res = await gw.gql(REGISTER, { input: { email, password: PASSWORD, name: '佐藤 太郎', phone: '090-2222-3333' } }, from(ip));
  return { res, email, id: res.data?.accountRegister?.account?.id as string, token: res.data?.accountRegister?.token as string };
}

const expectLimited = (res: { errors?: { extensions?: Record<string, unknown> }[] }) =>
  expect(res.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: expect.any(Number) });

describe('sign-in', () => {
  it('limits failures per e-mail from any address, then refuses even the right password from a new address', async () => {
    const { email } = await signUp();
    for (let i = 0; i < 3; i++) {
      expect((await gw.gql(LOGIN, { input: { email, password: 'wrong' } }, from(newAddress()))).data.accountLogin.userErrors).toEqual([{ code: 'INVALID_CREDENTIALS' }]);
    }
    const refused = await gw.gql(LOGIN, { input: { email, password: PASSWORD } }, from(newAddress()));
    expectLimited(refused);
    expect(refused.errors?.[0].message).toMatch(/Too many failed sign-ins/);
  });

  it('limits failures per address whatever the e-mail (one address spraying many accounts)', async () => {
    const ip = newAddress();
    const accounts = await Promise.all(Array.from({ length: 5 }, () => signUp()));
    for (const a of accounts.slice(0, 4)) await gw.gql(LOGIN, { input: { email: a.email, password: 'wrong' } }, from(ip));
    expectLimited(await gw.gql(LOGIN, { input: { email: accounts[4].email, password: PASSWORD } }, from(ip)));
    // the same account from elsewhere is fine
    expect((await gw.gql(LOGIN, { input: { email: accounts[4].email, password: PASSWORD } }, from(newAddress()))).data.accountLogin.token).toEqual(expect.any(String));
  });

  it('does not count successful sign-ins', async () => {
    const ip = newAddress();
    const { email } = await signUp();
    for (let i = 0; i < 6; i++) expect((await gw.gql(LOGIN, { input: { email, password: PASSWORD } }, from(ip))).data.accountLogin.token).toEqual(expect.any(String));
  });
});

describe('sign-up', () => {
  it('limits sign-ups per address', async () => {
    const ip = newAddress();
    expect((await signUp(ip)).res.data.accountRegister.token).toEqual(expect.any(String));
    expect((await signUp(ip)).res.data.accountRegister.token).toEqual(expect.any(String));
    const third = await signUp(ip);
    expectLimited(third.res);
    expect(third.res.errors?.[0].message).toMatch(/Too many sign-ups from this address/);
    expect((await signUp(newAddress())).res.data.accountRegister.token).toEqual(expect.any(String));
  });
});

describe('messages and uploads', () => {
  const SEND = `mutation($input: MessageSendInput!) { messageSend(input: $input) { message { id } userErrors { code message } } }`;
  const send = (who: { token: string }, ip: string, orderId: string, files = 0) =>
    gw.upload(
      SEND,
      { input: { orderId, title: '質問', body: '在庫はありますか？', files: Array(files).fill(null) } },
      Array.from({ length: files }, (_, i) => ({ path: `input.files.${i}`, name: `${i}.pdf`, type: 'application/pdf', bytes: SMALL_PDF })),
      from(ip, who.token),
    );

  it('limits messages per sender and address, not per address alone', async () => {
    const ip = newAddress();
    const alice = await signUp();
    const order = await submitOrder(gw, { ...alice, password: PASSWORD });
    expect((await send(alice, ip, order.id)).data.messageSend.userErrors).toEqual([]);
    expect((await send(alice, ip, order.id)).data.messageSend.userErrors).toEqual([]);
    const third = await send(alice, ip, order.id);
    expectLimited(third);
    expect(third.errors?.[0].message).toMatch(/Too many messages/);
    // staff answering the same thread from the same address have their own budget
    expect((await send(clerk, ip, order.id)).data.messageSend.userErrors).toEqual([]);
  });

  it('limits uploaded files per address: a request that would pass the budget stores nothing', async () => {
    const ip = newAddress();
    const [bob, carol] = await Promise.all([signUp(), signUp()]);
    const [bobsOrder, carolsOrder] = await Promise.all([submitOrder(gw, { ...bob, password: PASSWORD }), submitOrder(gw, { ...carol, password: PASSWORD })]);
    expect((await send(bob, ip, bobsOrder.id, 2)).data.messageSend.userErrors).toEqual([]);
    const refused = await send(carol, ip, carolsOrder.id, 2);
    expectLimited(refused);
    expect(refused.errors?.[0].message).toMatch(/Too many files uploaded from this address/);
    expect(await gw.app.ds.query('SELECT count(*)::int AS n FROM message WHERE order_id = $1', [carolsOrder.id])).toEqual([{ n: 0 }]);
    expect((await send(carol, newAddress(), carolsOrder.id, 2)).data.messageSend.userErrors).toEqual([]);
  });
});

describe('settings', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_LIMITS.loginEmailIp).toEqual({ points: 5, durationSeconds: 15 * 60 });
    expect(DEFAULT_LIMITS.loginEmail).toEqual({ points: 20, durationSeconds: 3600 });
    expect(DEFAULT_LIMITS.loginIp).toEqual({ points: 100, durationSeconds: 3600 });
    expect(DEFAULT_LIMITS.guestOrder).toEqual({ points: 10, durationSeconds: 3600 });
    expect(DEFAULT_LIMITS.message).toEqual({ points: 30, durationSeconds: 60 });
  });

  it('reads RATE_LIMITS overrides and names a bad one', () => {
    expect(loadConfig({ RATE_LIMITS: 'loginEmailIp=3/10m, message=5/1h' }).RATE_LIMITS).toEqual({
      loginEmailIp: { points: 3, durationSeconds: 600 },
      message: { points: 5, durationSeconds: 3600 },
    });
    expect(() => loadConfig({ RATE_LIMITS: 'logins=3/10m' })).toThrow(/RATE_LIMITS: "logins=3\/10m" is not NAME=POINTS\/DURATION/);
    expect(() => loadConfig({ REDIS_URL: 'localhost:6379' })).toThrow(/REDIS_URL: must be a redis:\/\//);
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY says a proxy sets it', async () => {
    const plain = await startTestGateway({ RATE_LIMITS: 'register=1/1h' });
    try {
      const one = await plain.gql(REGISTER, { input: { email: `xf-1@example.jp`, password: PASSWORD, name: 'A', phone: '090-2222-3333' } }, from('198.51.100.1'));
      const two = await plain.gql(REGISTER, { input: { email: `xf-2@example.jp`, password: PASSWORD, name: 'B', phone: '090-2222-3333' } }, from('198.51.100.2'));
      expect(one.data.accountRegister.token).toEqual(expect.any(String));
      expectLimited(two);
    } finally {
      await plain.close();
    }
  });
});
