import type { EntityManager } from 'typeorm';
import type { App } from '../../app/app';
import { preparedQuery } from '../../app/data-source';
import { rowJson, type PackedRow } from '../../app/row-json';
import { DomainError, UserErrorCode } from '../../common/errors';
import { isUuid, requireUuid } from '../../common/ids';
import { normalizePhone } from '../../common/phone';
import { pgCode } from '../../common/transaction';
import { assertValid } from '../../common/validation';
import { Account, Role } from './account.entity';
import { AccountLoginInput, AccountRegisterInput } from './account.inputs';
import { hashPassword, verifyPassword } from './auth';

export class AccountService {
  constructor(private readonly app: App) {}

  /** Creates an account (customers sign themselves up; staff come from `npm run user:create`). */
  async register(tx: EntityManager, input: AccountRegisterInput, role: Role = Role.CUSTOMER): Promise<Account> {
    await assertValid(input);
    const email = normalizeEmail(input.email);
    const phone = normalizePhone(input.phone);
    if (!phone) throw new DomainError(UserErrorCode.INVALID, 'Enter a phone number such as 090-1234-5678.', ['input', 'phone']);
    const repo = tx.getRepository(Account);
    if (await repo.exists({ where: { email } })) throw emailTaken();
    const account = repo.create({
      email,
      phone,
      name: input.name.trim(),
      role,
      passwordHash: await hashPassword(input.password),
    });
    try {
      // A savepoint, so a lost race on the unique e-mail becomes a userError, not a dead transaction.
      return await tx.transaction(() => repo.save(account));
    } catch (error) {
      if (pgCode(error) === '23505') throw emailTaken();
      throw error;
    }
  }

  /** An unknown e-mail and a wrong password are the same failure, in answer and in time. */
  async login(tx: EntityManager, input: AccountLoginInput): Promise<{ account: Account; token: string; expiresAt: Date }> {
    const account = await tx.getRepository(Account).findOne({ where: { email: normalizeEmail(input.email) } });
    const ok = await verifyPassword(account?.passwordHash, input.password);
    if (!account || !ok) {
      throw new DomainError(UserErrorCode.INVALID_CREDENTIALS, 'The e-mail address or password is wrong.');
    }
    return { account, ...(await this.app.tokens.issue(account.id, this.app.clock.now())) };
  }

  /** Admins promote or demote accounts; the change applies to the account's very next request. */
  async setRole(tx: EntityManager, accountId: string, role: Role): Promise<Account> {
    const repo = tx.getRepository(Account);
    const id = requireUuid(accountId, ['input', 'accountId'], 'account');
    const account = await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!account) throw new DomainError(UserErrorCode.NOT_FOUND, 'No such account.', ['input', 'accountId']);
    account.role = role;
    return repo.save(account);
  }

  /** The account behind a bearer token, read fresh so a changed role applies at once. */
  async fromToken(token: string): Promise<Account | null> {
    return (await this.sessionFromToken(token))?.account ?? null;
  }

  /** The account behind a bearer token and when the token expires (WebSocket connections). */
  async sessionFromToken(token: string): Promise<{ account: Account; expiresAt: Date } | null> {
    const claims = await this.app.tokens.verifyClaims(token, this.app.clock.now());
    if (!claims || !isUuid(claims.accountId)) return null;
    // Every request with a token runs this (the role must be current): one prepared statement.
    const accounts = rowJson(this.app.ds, Account);
    const [found] = await preparedQuery<{ row: PackedRow }>(this.app.ds, `SELECT ${accounts.sql('a')} AS row FROM ${accounts.table} a WHERE a.id = $1`, [claims.accountId]);
    const account = found ? accounts.read(found.row) : null;
    // A password reset ends every session begun before it (same-second tokens are the new ones).
    if (!account || (account.credentialsChangedAt && claims.issuedAt < Math.floor(account.credentialsChangedAt.getTime() / 1000))) return null;
    return { account, expiresAt: claims.expiresAt };
  }
}

function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function emailTaken() {
  return new DomainError(UserErrorCode.EMAIL_TAKEN, 'An account with this e-mail address exists already.', ['input', 'email']);
}
