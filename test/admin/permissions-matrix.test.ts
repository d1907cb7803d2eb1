// The whole permission table written out, role by action, independent of RULES: a role
// added to or dropped from an action, or an action losing its venue scope, fails here.
// Operators are checked on an assigned venue, an unassigned one and no venue at all.
import assert from 'node:assert/strict';
import { can, venueFilter, RULES, type Action } from '../../portal/accounts/permissions.ts';

const O = 'owner',
  N = 'network-admin',
  P = 'operator';
/** Who may do what; "venue" marks the actions an operator may take only on an assigned venue. */
const EXPECTED: Record<Action, { roles: string[]; venue: boolean }> = {
  'home.view': { roles: [O, N, P], venue: false },
  'venue.dashboard': { roles: [O, P], venue: true },
  'venue.branding': { roles: [O, P], venue: true },
  'venue.publish': { roles: [O, P], venue: true },
  'venue.settings': { roles: [O, P], venue: true },
  'consents.view': { roles: [O, P], venue: true },
  'consents.withdraw': { roles: [O, P], venue: true },
  'consents.erase': { roles: [O, P], venue: true },
  'consents.export': { roles: [O, P], venue: true },
  'nas.manage': { roles: [O, N], venue: false },
  'sessions.view': { roles: [O, N], venue: false },
  'sessions.disconnect': { roles: [O, N], venue: false },
  'sessions.end': { roles: [O, N, P], venue: true },
  'sessions.revoke': { roles: [O, P], venue: true },
  'accounts.manage': { roles: [O], venue: false },
  'audit.view': { roles: [O], venue: false },
};

describe('admin permissions: the whole table', () => {
  it('lists every action there is', () => {
    assert.deepEqual(Object.keys(RULES).sort(), Object.keys(EXPECTED).sort());
  });

  for (const [action, e] of Object.entries(EXPECTED) as [Action, (typeof EXPECTED)[Action]][]) {
    // No brackets in the title: StrykerJS's mocha runner selects tests by title.
    it(`${action}: ${e.roles.join(', ')}${e.venue ? ', operators on their venues only' : ''}`, () => {
      for (const role of [O, N, P] as const) {
        const account = { role, venueIds: ['mine'] };
        const allowed = e.roles.includes(role);
        const scoped = allowed && e.venue && role === P;
        assert.equal(can(account, action, 'mine'), allowed, `${role} on an assigned venue`);
        assert.equal(can(account, action, 'theirs'), allowed && !scoped, `${role} on another venue`);
        assert.equal(can(account, action), allowed && !scoped, `${role} with no venue named`);
      }
    });
  }

  it('shows owners every venue, operators their own, network admins none', () => {
    assert.deepEqual(['a', 'b'].map(venueFilter({ role: O, venueIds: [] })), [true, true]);
    assert.deepEqual(['a', 'b'].map(venueFilter({ role: P, venueIds: ['b'] })), [false, true]);
    assert.deepEqual(['a', 'b'].map(venueFilter({ role: N, venueIds: ['a', 'b'] })), [false, false]);
  });
});
