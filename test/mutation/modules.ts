// The modules where a surviving mutant means a broken promise, each with the in-process
// suites that cover it. Suites that run Foyer in a child process are left out: a mutant
// is switched on inside the test process only, so they would see the unmutated code.
export interface MutationModule {
  /** What the README calls it. */
  title: string;
  mutate: string[];
  spec: string[];
  /** Tests left out (a mocha grep that must not match): slow ones that guard no mutant here. */
  skip?: string;
}

export const MODULES: Record<string, MutationModule> = {
  ledger: {
    title: 'consent ledger and its verify',
    mutate: [
      'portal/consent/append.ts',
      'portal/consent/verify.ts',
      'portal/consent/event.ts',
      'portal/consent/head.ts',
    ],
    // two-writers runs its second writer as a child process, which sees no mutant.
    // ledger-tamper.property (every hashed column) is left out for time: ~25 s a backend per mutant.
    spec: ['test/consent/ledger.test.ts', 'test/consent/ledger-edges.test.ts', 'test/consent/ledger-keyed.test.ts'],
    // The 100,000-event export takes minutes and guards export.ts, not these files.
    skip: '100,000 events',
  },
  verification: {
    title: 'codes and send limits',
    mutate: ['portal/verification/*.ts'],
    spec: [
      'test/guest/codes.test.ts',
      'test/guest/phone.test.ts',
      'test/guest/verification.test.ts',
      'test/guest/records.test.ts',
      'test/verification/attempts.test.ts',
      'test/verification/edges.test.ts',
    ],
  },
  permissions: {
    title: 'permissions and venue scoping of the consent pages',
    // The consent pages' lookups only (the rest of the routes file is rendering): the
    // search and the subject's events (consent/search.ts), the person, event and page routes.
    // The line ranges are the search route with loadSubject, and the event and stored-page
    // routes: check them again when routes/consents.ts changes.
    mutate: [
      'portal/accounts/permissions.ts',
      'portal/consent/search.ts',
      'portal/admin/routes/consents.ts:72-102',
      'portal/admin/routes/consents.ts:172-188',
    ],
    spec: [
      'test/admin/permissions-matrix.test.ts',
      'test/admin/consent-search.test.ts',
      'test/admin/consent-pages.test.ts',
      'test/admin/rules.test.ts',
      'test/admin/access.test.ts',
      'test/admin/consents.test.ts',
      'test/admin/end-session.test.ts',
    ],
  },
  radius: {
    title: 'RADIUS authenticators and Message-Authenticator',
    mutate: ['radius/authenticators.ts'],
    spec: [
      'test/radius/authenticators.test.ts',
      'test/radius/golden.test.ts',
      'test/radius/server.test.ts',
      'test/radius/coa-client.test.ts',
      'test/hostile/radius-packets.property.test.ts',
    ],
    // A million packets per mutant would take days; the live-server half of that suite stays.
    skip: 'a million',
  },
  'consent-rules': {
    title: 'consent rules (withdrawal wording)',
    mutate: ['portal/venues/consent-rules.ts'],
    spec: ['test/admin/rules.test.ts', 'test/venues/consent-rules.test.ts'],
  },
};
