import { hasClaim, hasRole, isStaff, type Viewer } from '../../../platform/auth/viewer.js';

export const ASSIGN_CLAIM = 'tickets:assign';

/** Support staff: the SUPPORT role (or SUPERADMIN), or any staff member holding tickets:assign. */
export function isSupportStaff(viewer: Viewer): boolean {
  if (!viewer.userId) return false;
  return hasRole(viewer, 'SUPPORT', 'SUPERADMIN') || (isStaff(viewer) && hasClaim(viewer, ASSIGN_CLAIM));
}

/** Who may assign a ticket to someone else (anyone in support may take a ticket themselves). */
export function mayAssignOthers(viewer: Viewer): boolean {
  return isStaff(viewer) && hasClaim(viewer, ASSIGN_CLAIM);
}
