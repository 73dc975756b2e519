import type { AuthChecker } from 'type-graphql';
import { forbidden, unauthenticated } from '../common/errors';
import { Role } from '../modules/accounts/account.entity';
import type { Context } from './context';

/** Roles that include others: an admin can do whatever staff can. */
const GRANTS: Record<Role, Role[]> = {
  [Role.CUSTOMER]: [Role.CUSTOMER],
  [Role.STAFF]: [Role.STAFF],
  [Role.ADMIN]: [Role.ADMIN, Role.STAFF],
};

/**
 * The one place that reads `@Authorized(...)`: no roles means "any signed-in account".
 * Throws the typed top-level errors itself so clients always see UNAUTHENTICATED/FORBIDDEN.
 */
export const authChecker: AuthChecker<Context, Role> = ({ context }, roles) => {
  const viewer = context.viewer;
  if (!viewer) throw unauthenticated();
  if (roles.length === 0) return true;
  if (roles.some((r) => GRANTS[viewer.role].includes(r))) return true;
  throw forbidden();
};

export function isStaff(viewer: { role: Role } | null | undefined): boolean {
  return viewer?.role === Role.STAFF || viewer?.role === Role.ADMIN;
}
