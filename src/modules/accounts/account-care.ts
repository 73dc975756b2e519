import { createHash, randomBytes } from 'node:crypto';
import { IsNull, MoreThan, type EntityManager } from 'typeorm';
import type { App } from '../../app/app';
import { DomainError, UserErrorCode } from '../../common/errors';
import { normalizePhone } from '../../common/phone';
import { assertValid } from '../../common/validation';
import { queueMail } from '../notifications/outbox';
import { NotificationKind } from '../notifications/announcements';
import { toAddress } from '../orders/order.service';
import { Account } from './account.entity';
import type { AccountPasswordResetInput, AccountUpdateInput } from './account.inputs';
import { hashPassword } from './auth';
import { PasswordResetToken } from './password-reset.entity';

const RESET_MINUTES = 30;
const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

/** Password resets and profile changes: what e-mail makes possible for an account. */
export class AccountCare {
  constructor(private readonly app: App) {}

  /**
   * Sends a one-time reset link to a known address. The answer (and the work the caller can
   * time) is the same for known and unknown addresses; the caller rate-limits per address and IP.
   */
  async requestReset(tx: EntityManager, email: string): Promise<void> {
    const account = await tx.getRepository(Account).findOne({ where: { email: email.trim().toLowerCase() }, lock: { mode: 'pessimistic_write' } });
    const token = randomBytes(32).toString('base64url');
    if (!account) return;
    const now = this.app.clock.now();
    const repo = tx.getRepository(PasswordResetToken);
    await repo.update({ accountId: account.id, endedAt: IsNull() }, { endedAt: now }); // only the newest link works
    await repo.insert({ accountId: account.id, tokenHash: sha256(token), createdAt: now, expiresAt: new Date(now.getTime() + RESET_MINUTES * 60_000) });
    const link = `${this.app.config.publicBaseUrl || 'http://localhost:4000'}/reset-password?token=${token}`;
    await queueMail(this.app, tx, {
      accountId: account.id,
      recipient: account.email,
      kind: NotificationKind.PASSWORD_RESET,
      subject: '【代行サービス】パスワード再設定のご案内',
      text: `${account.name} 様\n\nパスワード再設定のご依頼を受け付けました。${RESET_MINUTES}分以内に次のリンクから新しいパスワードを設定してください。\n${link}\n\nお心当たりがない場合は、このメールを破棄してください。`,
    });
  }

  /** Sets a new password with a valid link; the link and every sign-in token issued before stop working. */
  async reset(tx: EntityManager, input: AccountPasswordResetInput): Promise<Account> {
    await assertValid(input);
    const now = this.app.clock.now();
    const found = await tx.getRepository(PasswordResetToken).findOne({
      where: { tokenHash: sha256(input.token), endedAt: IsNull(), expiresAt: MoreThan(now) },
      lock: { mode: 'pessimistic_write' },
    });
    if (!found) throw new DomainError(UserErrorCode.INVALID_TOKEN, 'This link has expired or was already used: ask for a new one.', ['input', 'token']);
    await tx.getRepository(PasswordResetToken).update({ accountId: found.accountId, endedAt: IsNull() }, { endedAt: now });
    await tx.getRepository(Account).update({ id: found.accountId }, { passwordHash: await hashPassword(input.newPassword), credentialsChangedAt: now });
    return (await tx.getRepository(Account).findOneBy({ id: found.accountId }))!;
  }

  /** The customer's own profile: name, phone, usual delivery address, which e-mails they get. */
  async update(tx: EntityManager, viewer: Account, input: AccountUpdateInput): Promise<Account> {
    await assertValid(input);
    const changes: Partial<Account> = {};
    if (input.name !== undefined && input.name !== null) {
      if (!input.name.trim()) throw new DomainError(UserErrorCode.INVALID, 'Enter your name.', ['input', 'name']);
      changes.name = input.name.trim();
    }
    if (input.phone !== undefined && input.phone !== null) {
      const phone = normalizePhone(input.phone);
      if (!phone) throw new DomainError(UserErrorCode.INVALID, 'Enter a phone number such as 090-1234-5678.', ['input', 'phone']);
      changes.phone = phone;
    }
    if (input.defaultDeliveryAddress !== undefined) changes.defaultDeliveryAddress = input.defaultDeliveryAddress ? toAddress(input.defaultDeliveryAddress) : null;
    if (input.emailOff) changes.notificationSettings = { ...viewer.notificationSettings, mailOff: [...new Set(input.emailOff)] };
    if (Object.keys(changes).length) await tx.getRepository(Account).update({ id: viewer.id }, changes);
    return (await tx.getRepository(Account).findOneBy({ id: viewer.id }))!;
  }
}
