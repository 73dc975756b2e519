import type { EntityManager, EntityTarget } from 'typeorm';
import { DomainError, UserErrorCode } from './errors';

/**
 * A stateful entity's lifecycle as data: for each state, the states it may move to.
 * `StateMachine.transition` consults it; nothing else writes a status column
 * (test/lifecycle-writers.test.ts fails if anything does).
 */
export type TransitionTable<S extends string> = { readonly [K in S]: readonly S[] };

export function canTransition<S extends string>(table: TransitionTable<S>, from: S, to: S): boolean {
  return table[from].includes(to);
}

/** A refused move is a typed error, never a silent no-op. */
export function assertTransition<S extends string>(table: TransitionTable<S>, what: string, from: S, to: S, field?: string[]): void {
  if (!canTransition(table, from, to)) {
    throw new DomainError(
      UserErrorCode.INVALID_STATE,
      `The ${what} is ${humanize(from)} and cannot become ${humanize(to)}.`,
      field,
    );
  }
}

export function humanize(state: string): string {
  return state.toLowerCase().replace(/_/g, ' ');
}

/** What every move carries; machines extend it with what their hooks need. */
export interface BaseMove {
  at: Date;
  /** Other columns written with the status, in the same guarded UPDATE. */
  changes?: Record<string, unknown>;
  /** Extra timeline details. */
  data?: Record<string, unknown>;
  /** Where a refusal points in the mutation's input. */
  field?: string[];
}

/** A side effect of entering a state: runs in the mover's transaction, after the status is written. */
export type EnterHook<E, S extends string, M extends BaseMove> = (tx: EntityManager, entity: E, move: M, from: S) => Promise<void>;

export interface MachineSpec<E extends { id: string; status: S }, S extends string, M extends BaseMove> {
  /** For messages ("The order is shipped and cannot become cancelled."). */
  name: string;
  entity: EntityTarget<E>;
  /** The table; a function where it depends on the entity (a payment's method). */
  table: TransitionTable<S> | ((entity: E) => TransitionTable<S>);
  /** Columns stamped on entering a state (e.g. `shippedAt`). */
  stamp?: (entity: E, to: S, move: M) => Partial<E>;
  /** The timeline entry of the move. */
  record: (tx: EntityManager, entity: E, from: S, to: S, move: M) => Promise<void>;
  /** What must happen whenever a state is entered, written once here (Vendure's onTransitionEnd). */
  onEnter?: { readonly [K in S]?: EnterHook<E, S, M> };
  /** Runs after every move, after the state's own hook (e.g. "has the order anything left to wait for?"). */
  afterEach?: EnterHook<E, S, M>;
  /** What the hooks do, in words, for docs/lifecycle.md (generated: `npm run docs:lifecycle`). */
  notes?: { onEnter?: { readonly [K in S]?: string }; afterEach?: string };
}

/**
 * The one transition mechanism: checks the table, writes the status with a guard on the old one
 * (the caller holds the row lock; the guard makes a missed lock fail loudly instead of moving
 * twice), appends the timeline event, then runs the state's hooks in the same transaction.
 */
export class StateMachine<E extends { id: string; status: S }, S extends string, M extends BaseMove> {
  constructor(readonly spec: MachineSpec<E, S, M>) {}

  tableOf(entity: E): TransitionTable<S> {
    const t = this.spec.table;
    return typeof t === 'function' ? t(entity) : t;
  }

  can(entity: E, to: S): boolean {
    return canTransition(this.tableOf(entity), entity.status, to);
  }

  assert(entity: E, to: S, field?: string[]): void {
    assertTransition(this.tableOf(entity), this.spec.name, entity.status, to, field);
  }

  async transition(tx: EntityManager, entity: E, to: S, move: M): Promise<void> {
    const from = entity.status;
    this.assert(entity, to, move.field);
    const changes = { ...move.changes, ...this.spec.stamp?.(entity, to, move), status: to } as Partial<E>;
    const result = await tx.getRepository(this.spec.entity).update({ id: entity.id, status: from } as never, changes as never);
    if (result.affected !== 1) throw new Error(`${this.spec.name} ${entity.id} left ${from} concurrently`);
    Object.assign(entity, changes);
    await this.spec.record(tx, entity, from, to, move);
    await this.spec.onEnter?.[to]?.(tx, entity, move, from);
    await this.spec.afterEach?.(tx, entity, move, from);
  }
}
