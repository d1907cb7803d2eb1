// Sign-up redesign (issues 14 and 18). A flow is written only when screen 1 is submitted
// and a code goes out, and it belongs to the browser that started it: the hash of a
// random secret kept in that browser's cookie, and of a single-use hand-back key. The
// address it was started from bounds how many flows one address may start. A code's row
// carries the whole submission it was sent for (number, choices, page version, locale,
// optional fields), encrypted, so completion reads everything from that one row.
import type { Migration } from './sql.ts';

const migration: Migration = {
  id: '014_signup_binding',
  up: () => [
    `ALTER TABLE guest_flows ADD COLUMN secret_hash TEXT`,
    `ALTER TABLE guest_flows ADD COLUMN handback_hash TEXT`,
    `ALTER TABLE guest_flows ADD COLUMN client_ip TEXT`,
    `CREATE INDEX guest_flows_started ON guest_flows (venue_id, client_ip, created_at)`,
    `ALTER TABLE verifications ADD COLUMN submission_enc TEXT`,
  ],
};
export default migration;
