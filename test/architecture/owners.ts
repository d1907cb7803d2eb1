// Who owns each table: the folder under portal/ whose files alone (with the migrations)
// may name the table in SQL. Everyone else calls the owner's functions. This is the one
// copy of the map: test/architecture/boundaries.test.ts checks the code against it, checks
// that every table the migrations create has exactly one owner here, and checks that
// README.md's layout section shows the same tables under the same folders.
export const TABLE_OWNERS: Record<string, readonly string[]> = {
  consent: ['consent_events', 'consent_state', 'subjects', 'ledger_head', 'template_versions', 'invalid_numbers'],
  signup: ['guest_flows'],
  verification: ['verifications', 'verification_sends', 'verification_counts'],
  sms: ['sms_messages', 'sms_attempts', 'sms_inbound', 'inbound_flags'],
  access: ['grants', 'sessions', 'device_blocks', 'grant_changes', 'access_rejects', 'nas_clients'],
  venues: ['venues', 'venue_versions', 'venue_drafts', 'venue_logos'],
  accounts: ['admins', 'admin_sessions', 'admin_venues', 'admin_audit', 'admin_login_throttle'],
  jobs: ['job_runs'],
  // schema_migrations and meta are made by store/migrate.ts itself, before any migration.
  store: ['job_locks', 'store_health', 'schema_migrations', 'meta', 'tx_requirements'],
};

/** Capability folders: they hold the product's rules and know nothing of HTTP. */
export const CAPABILITIES = [
  'consent',
  'signup',
  'verification',
  'sms',
  'access',
  'access-points',
  'venues',
  'accounts',
  'store',
  'jobs',
  'crypto',
] as const;

/** Packages a capability may not import (HTTP), besides anything under portal/http/. */
export const HTTP_PACKAGES = /^(koa|@koa\/.+)(\/.*)?$/;
