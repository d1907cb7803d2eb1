// Who may do what: one short rule per action. `venue: true` means an operator may act
// only on the venues assigned to them (owners on every venue). Routes name the action;
// nothing else decides access.
import type { AdminAccount, Role } from './accounts.ts';

interface Rule {
  roles: readonly Role[];
  /** Scoped to one venue: operators need it assigned. */
  venue?: true;
}

export const RULES = {
  'home.view': { roles: ['owner', 'network-admin', 'operator'] },
  'venue.dashboard': { roles: ['owner', 'operator'], venue: true },
  'venue.branding': { roles: ['owner', 'operator'], venue: true },
  'venue.publish': { roles: ['owner', 'operator'], venue: true },
  'venue.settings': { roles: ['owner', 'operator'], venue: true },
  'consents.view': { roles: ['owner', 'operator'], venue: true },
  'consents.withdraw': { roles: ['owner', 'operator'], venue: true },
  'consents.erase': { roles: ['owner', 'operator'], venue: true },
  'consents.export': { roles: ['owner', 'operator'], venue: true },
  'nas.manage': { roles: ['owner', 'network-admin'] },
  'sessions.view': { roles: ['owner', 'network-admin'] },
  'sessions.disconnect': { roles: ['owner', 'network-admin'] },
  // Ending a guest's session and keeping the device off for a while is the network's
  // business and the venue's; revoking the guest's access is the venue's alone.
  'sessions.end': { roles: ['owner', 'network-admin', 'operator'], venue: true },
  'sessions.revoke': { roles: ['owner', 'operator'], venue: true },
  'accounts.manage': { roles: ['owner'] },
  'audit.view': { roles: ['owner'] },
} as const satisfies Record<string, Rule>;

export type Action = keyof typeof RULES;

export function can(account: Pick<AdminAccount, 'role' | 'venueIds'>, action: Action, venueId?: string): boolean {
  const rule: Rule = RULES[action];
  if (!rule.roles.includes(account.role)) return false;
  if (rule.venue && account.role === 'operator') return venueId !== undefined && account.venueIds.includes(venueId);
  return true;
}

/** The venues an account may see at all (for lists and menus). */
export function venueFilter(account: Pick<AdminAccount, 'role' | 'venueIds'>): (venueId: string) => boolean {
  return account.role === 'owner'
    ? () => true
    : account.role === 'operator'
      ? (id) => account.venueIds.includes(id)
      : () => false;
}
