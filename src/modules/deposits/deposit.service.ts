import type { EntityManager } from 'typeorm';
import type { App } from '../../app/app';
import { isStaff } from '../../app/auth-checker';
import { DomainError, errorCollector, forbidden, unauthenticated, UserErrorCode } from '../../common/errors';
import { isUuid } from '../../common/ids';
import { assertIdempotencyKey, idempotent } from '../../common/idempotency';
import { Currency, formatMinor, Money, parseMoneyInput } from '../../common/money';
import { decodeCursor, pageSize, toConnection, type ConnectionShape } from '../../common/pagination';
import { pgCode } from '../../common/transaction';
import { Account, Role } from '../accounts/account.entity';
import { DepositEntry, DepositEntryKind, DepositReferenceKind, ENTRY_SIGN } from './deposit-entry.entity';
import { Deposit, DepositAdjustInput, NOTE_MAX } from './deposit.inputs';

/** One ledger posting, as other modules ask for it. */
export interface DepositPosting {
  accountId: string;
  kind: DepositEntryKind;
  /** Signed yen; the sign must match the kind (see ENTRY_SIGN). */
  amountMinor: bigint;
  /** Required for every kind but ADJUSTMENT. */
  reference: { kind: DepositReferenceKind; id: string } | null;
  /** Null when the system posts (a sweep, a provider callback). */
  actorId: string | null;
  note?: string | null;
}

export class DepositService {
  constructor(private readonly app: App) {}

  /**
   * Appends one entry inside the caller's transaction and moves the balance with it. The
   * customer's deposit row stays locked until that transaction ends, so postings for one
   * customer run one after another. A debit beyond the balance throws INSUFFICIENT_DEPOSIT and
   * writes nothing (the transaction stays usable). The returned entry has no `actor` loaded;
   * read it again with `entry()` to show it.
   */
  async post(tx: EntityManager, posting: DepositPosting): Promise<DepositEntry> {
    assertPostingShape(posting);
    const now = this.app.clock.now();
    let balance = await this.moveBalance(tx, posting.accountId, posting.amountMinor, now);
    if (balance === null) {
      // The guarded UPDATE found no row: either the first posting ever, or not enough money.
      await tx.query(
        `INSERT INTO deposit_account (account_id, balance, updated_at) VALUES ($1, 0, $2) ON CONFLICT (account_id) DO NOTHING`,
        [posting.accountId, now],
      );
      balance = await this.moveBalance(tx, posting.accountId, posting.amountMinor, now);
    }
    if (balance === null) throw insufficient(await this.balance(posting.accountId, tx), -posting.amountMinor);

    const repo = tx.getRepository(DepositEntry);
    const entry = repo.create({
      accountId: posting.accountId,
      kind: posting.kind,
      amountMinor: posting.amountMinor,
      balanceAfterMinor: balance,
      referenceKind: posting.reference?.kind ?? null,
      referenceId: posting.reference?.id ?? null,
      actorId: posting.actorId,
      note: posting.note?.trim() || null,
      createdAt: now,
    });
    await repo.insert(entry);
    return entry;
  }

  /** The current balance in yen (0 for a customer who never had an entry). */
  async balance(accountId: string, tx: EntityManager = this.app.ds.manager): Promise<bigint> {
    const [row]: { balance: string }[] = await tx.query(`SELECT balance FROM deposit_account WHERE account_id = $1`, [accountId]);
    return row ? BigInt(row.balance) : 0n;
  }

  /**
   * The balance, locked until the caller's transaction ends: for callers that decide how much
   * to take from it (pay an invoice "deposit first") and then `post` that amount.
   */
  async lockBalance(tx: EntityManager, accountId: string): Promise<bigint> {
    await tx.query(
      `INSERT INTO deposit_account (account_id, balance, updated_at) VALUES ($1, 0, $2) ON CONFLICT (account_id) DO NOTHING`,
      [accountId, this.app.clock.now()],
    );
    const [row]: { balance: string }[] = await tx.query(`SELECT balance FROM deposit_account WHERE account_id = $1 FOR UPDATE`, [accountId]);
    return BigInt(row.balance);
  }

  /** A customer's deposit, for the customer themself and for staff only. */
  async view(viewer: Account | null, accountId: string): Promise<Deposit> {
    if (!viewer) throw unauthenticated();
    if (viewer.id !== accountId && !isStaff(viewer)) throw forbidden('Only the customer and staff may see a deposit.');
    const deposit = new Deposit();
    deposit.accountId = accountId;
    deposit.balance = Money.jpy(await this.balance(accountId));
    return deposit;
  }

  /** Entries newest first, keyset-paginated on the entry id (ids grow in posting order per customer). */
  async entries(accountId: string, first: number | undefined, after: string | null | undefined): Promise<ConnectionShape<DepositEntry>> {
    const limit = pageSize(first);
    const afterId = decodeCursor(after, 1)?.[0];
    if (afterId !== undefined && !/^\d{1,19}$/.test(String(afterId))) {
      throw new DomainError(UserErrorCode.INVALID, 'The cursor is not one this API gave out.', ['after']);
    }
    const query = this.entryQuery(this.app.ds.manager)
      .where('e.account_id = :accountId', { accountId })
      .orderBy('e.id', 'DESC')
      .limit(limit + 1);
    if (afterId !== undefined) query.andWhere('e.id < :afterId', { afterId: String(afterId) });
    return toConnection(await query.getMany(), limit, (entry) => [entry.id]);
  }

  /** One entry with its actor's name. */
  async entry(tx: EntityManager, id: string): Promise<DepositEntry> {
    return this.entryQuery(tx).where('e.id = :id', { id }).getOneOrFail();
  }

  /**
   * Staff correct a customer's deposit by a signed amount with a mandatory note. Takes an
   * idempotency key: a retry returns the first entry and moves no money. A debit beyond the
   * balance is INSUFFICIENT_DEPOSIT — the balance never goes below zero.
   */
  async adjust(tx: EntityManager, staff: Account, input: DepositAdjustInput): Promise<DepositEntry> {
    if (!isStaff(staff)) throw forbidden();
    const { accountId, amountMinor, note } = await this.parseAdjust(tx, input);
    const { entryId } = await idempotent(
      tx,
      {
        scope: staff.id,
        operation: 'depositAdjust',
        key: input.idempotencyKey,
        request: { accountId, amountMinor, note },
        now: this.app.clock.now(),
      },
      async () => {
        const entry = await this.post(tx, { accountId, kind: DepositEntryKind.ADJUSTMENT, amountMinor, reference: null, actorId: staff.id, note }).catch(
          (error: unknown) => {
            if (error instanceof DomainError && error.errors[0].code === UserErrorCode.INSUFFICIENT_DEPOSIT) {
              throw new DomainError(UserErrorCode.INSUFFICIENT_DEPOSIT, error.message, ['input', 'amount']);
            }
            throw error;
          },
        );
        return { entryId: entry.id };
      },
    );
    return this.entry(tx, entryId);
  }

  /** Every problem with the input at once, as userErrors. */
  private async parseAdjust(tx: EntityManager, input: DepositAdjustInput) {
    const inputs = errorCollector();
    const check = <T>(fn: () => T) => inputs.check(fn);
    const amountMinor = check(() => {
      const minor = parseMoneyInput(input.amount, Currency.JPY, ['input', 'amount'], { allowNegative: true });
      if (minor === 0n) throw new DomainError(UserErrorCode.INVALID, 'An adjustment cannot be zero.', ['input', 'amount', 'amount']);
      return minor;
    });
    const note = input.note.trim();
    if (!note) inputs.add({ code: UserErrorCode.INVALID, field: ['input', 'note'], message: 'Write why the deposit is adjusted.' });
    if (note.length > NOTE_MAX) inputs.add({ code: UserErrorCode.INVALID, field: ['input', 'note'], message: `The note can have at most ${NOTE_MAX} characters.` });
    check(() => assertIdempotencyKey(input.idempotencyKey));
    const accountId = input.accountId.toLowerCase();
    const customer = isUuid(accountId) ? await tx.getRepository(Account).findOne({ where: { id: accountId } }) : null;
    if (customer?.role !== Role.CUSTOMER) inputs.add({ code: UserErrorCode.NOT_FOUND, field: ['input', 'accountId'], message: 'No such customer.' });
    inputs.done();
    return { accountId, amountMinor: amountMinor!, note };
  }

  /** Adds `amount` to the balance unless that would make it negative; null if no row was changed. */
  private async moveBalance(tx: EntityManager, accountId: string, amount: bigint, now: Date): Promise<bigint | null> {
    try {
      const [rows]: [{ balance: string }[], number] = await tx.query(
        `UPDATE deposit_account SET balance = balance + $2, updated_at = $3
         WHERE account_id = $1 AND balance + $2 >= 0
         RETURNING balance`,
        [accountId, amount.toString(), now],
      );
      return rows.length ? BigInt(rows[0].balance) : null;
    } catch (error) {
      // The guard above normally answers first; the CHECK is the database's last word.
      if (pgCode(error) === '23514' && constraintOf(error) === 'deposit_account_balance_check') {
        throw insufficient(await this.balance(accountId), -amount);
      }
      throw error;
    }
  }

  private entryQuery(tx: EntityManager) {
    return tx
      .getRepository(DepositEntry)
      .createQueryBuilder('e')
      .leftJoin('e.actor', 'actor')
      .addSelect(['actor.id', 'actor.name']);
  }
}

/** A caller passing a wrong sign or a missing reference is a bug, not a user's mistake. */
function assertPostingShape(p: DepositPosting) {
  if (p.amountMinor === 0n) throw new Error('deposit posting of zero');
  const sign = ENTRY_SIGN[p.kind];
  if (sign !== 0 && (p.amountMinor > 0n ? 1 : -1) !== sign) throw new Error(`deposit ${p.kind} must be ${sign > 0 ? 'positive' : 'negative'}`);
  if (p.kind !== DepositEntryKind.ADJUSTMENT && !p.reference) throw new Error(`deposit ${p.kind} needs a reference`);
  if (p.kind === DepositEntryKind.ADJUSTMENT && !p.note?.trim()) throw new Error('deposit ADJUSTMENT needs a note');
}

function insufficient(balance: bigint, needed: bigint) {
  return new DomainError(
    UserErrorCode.INSUFFICIENT_DEPOSIT,
    `The deposit balance is ${formatMinor(balance, Currency.JPY)} JPY; this needs ${formatMinor(needed, Currency.JPY)} JPY.`,
  );
}

function constraintOf(error: unknown): string | undefined {
  const e = error as { constraint?: unknown; driverError?: { constraint?: unknown } };
  const name = e?.driverError?.constraint ?? e?.constraint;
  return typeof name === 'string' ? name : undefined;
}
