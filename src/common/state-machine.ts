import { DomainError, UserErrorCode } from './errors';

/**
 * A stateful entity's lifecycle as data: for each state, the states it may move to.
 * The one `transition` helper of each module consults it; nothing else writes a status.
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
