import { SignJWT } from 'jose';
import { Account, Role } from '../src/modules/accounts/account.entity';
import { startTestGateway, type TestGateway } from './support/gateway';
import { customer, staff } from './support/builders';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw.close());

const REGISTER = `mutation($input: AccountRegisterInput!) {
  accountRegister(input: $input) { token expiresAt account { id email name phone role } userErrors { code field message } }
}`;
const LOGIN = `mutation($input: AccountLoginInput!) {
  accountLogin(input: $input) { token account { id email } userErrors { code field message } }
}`;
const ME = `{ me { id email name role } }`;

const valid = { email: 'Taro@Example.JP', password: 'a long password', name: 'Taro Sato', phone: '+81 90-1111-2222' };

async function accountCount() {
  return gw.app.ds.getRepository(Account).count();
}

describe('register → login → me', () => {
  it('signs up, signs in with any e-mail case, and reads the account', async () => {
    const reg = await gw.gql(REGISTER, { input: valid });
    expect(reg.data.accountRegister.userErrors).toEqual([]);
    expect(reg.data.accountRegister.account).toMatchObject({ email: 'taro@example.jp', phone: '09011112222', role: 'CUSTOMER' });

    const login = await gw.gql(LOGIN, { input: { email: 'TARO@example.jp', password: valid.password } });
    expect(login.data.accountLogin.userErrors).toEqual([]);
    const me = await gw.gql(ME, {}, { token: login.data.accountLogin.token });
    expect(me.data.me).toMatchObject({ email: 'taro@example.jp', name: 'Taro Sato', role: 'CUSTOMER' });
  });
});

describe('bad input writes nothing', () => {
  it.each([
    ['an empty e-mail', { email: '' }, 'email'],
    ['a 3-character password', { password: 'abc' }, 'password'],
    ['an empty name', { name: '' }, 'name'],
    ['a phone that is not one', { phone: 'call me' }, 'phone'],
  ])('refuses %s with a userError on the field', async (_label, change, field) => {
    const before = await accountCount();
    const res = await gw.gql(REGISTER, { input: { ...valid, email: `x${Math.random()}@ex.jp`, ...change } });
    const payload = res.data.accountRegister;
    expect(payload.token).toBeNull();
    expect(payload.userErrors).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 'INVALID', field: ['input', field] })]),
    );
    expect(await accountCount()).toBe(before);
  });

  it('refuses a duplicate e-mail (whatever its case) with EMAIL_TAKEN', async () => {
    const first = await customer(gw);
    const before = await accountCount();
    const res = await gw.gql(REGISTER, { input: { ...valid, email: first.email.toUpperCase() } });
    expect(res.data.accountRegister.userErrors).toEqual([
      { code: 'EMAIL_TAKEN', field: ['input', 'email'], message: expect.any(String) },
    ]);
    expect(await accountCount()).toBe(before);
  });

  it('lets exactly one of ten concurrent sign-ups with one e-mail through', async () => {
    const email = `race-${Date.now()}@example.jp`;
    const results = await Promise.all(
      Array.from({ length: 10 }, () => gw.gql(REGISTER, { input: { ...valid, email } })),
    );
    const codes = results.map((r) => r.data?.accountRegister?.userErrors[0]?.code ?? 'OK');
    expect(codes.filter((c) => c === 'OK')).toHaveLength(1);
    expect(codes.filter((c) => c === 'EMAIL_TAKEN')).toHaveLength(9);
    expect(results.every((r) => r.status === 200 && !r.errors)).toBe(true);
  });
});

describe('sign-in failures', () => {
  it('answers a wrong password and an unknown e-mail alike', async () => {
    const c = await customer(gw);
    const wrong = await gw.gql(LOGIN, { input: { email: c.email, password: 'not the password' } });
    const unknown = await gw.gql(LOGIN, { input: { email: 'nobody@example.jp', password: 'not the password' } });
    expect(wrong.data.accountLogin).toEqual(unknown.data.accountLogin);
    expect(wrong.data.accountLogin).toEqual({
      token: null,
      account: null,
      userErrors: [{ code: 'INVALID_CREDENTIALS', field: null, message: expect.any(String) }],
    });
  });
});

describe('tokens', () => {
  it('asks for a token where one is needed', async () => {
    const res = await gw.gql(ME);
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(res.data).toBeNull();
  });

  it('refuses a forged token (right claims, wrong key)', async () => {
    const c = await customer(gw);
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(c.id)
      .setIssuer(gw.app.config.JWT_ISSUER)
      .setAudience(gw.app.config.JWT_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('some-other-secret-of-enough-length-123'));
    const res = await gw.gql(ME, {}, { token: forged });
    expect(res.status).toBe(401);
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a token signed with alg "none"', async () => {
    const c = await customer(gw);
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const unsigned = `${enc({ alg: 'none', typ: 'JWT' })}.${enc({ sub: c.id, iss: gw.app.config.JWT_ISSUER, aud: gw.app.config.JWT_AUDIENCE, iat: 1, exp: 9e9 })}.`;
    const res = await gw.gql(ME, {}, { token: unsigned });
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses an expired token', async () => {
    const c = await customer(gw);
    const { token } = await gw.app.tokens.issue(c.id, new Date(gw.clock.now().getTime() - (gw.app.config.JWT_TTL_SECONDS + 60) * 1000));
    const res = await gw.gql(ME, {}, { token });
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('roles', () => {
  it('reads the role on every request, so a demoted staff member loses access at once', async () => {
    const s = await staff(gw);
    expect((await gw.gql(ME, {}, { token: s.token })).data.me.role).toBe('STAFF');
    await gw.app.ds.getRepository(Account).update({ id: s.id }, { role: Role.CUSTOMER });
    expect((await gw.gql(ME, {}, { token: s.token })).data.me.role).toBe('CUSTOMER');
  });
});

describe('password storage', () => {
  it('stores Argon2id hashes, never the password', async () => {
    const c = await customer(gw);
    const row = await gw.app.ds.getRepository(Account).findOneByOrFail({ id: c.id });
    expect(row.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(row.passwordHash).not.toContain(c.password);
  });
});
