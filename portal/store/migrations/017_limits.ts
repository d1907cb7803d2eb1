// For issue 14's limits.
// Replies to inbound SMS are limited per number (anyone can text HELP, or forge it through
// a webhook, as often as they like): replied_at marks the inbound messages that were given
// an answer, counted per sender over the last hour before another answer goes out.
// The per-client-IP send limit counts per venue (a NAT shared by many venues' guests).
import type { Migration } from './sql.ts';

const migration: Migration = {
  id: '017_limits',
  up: () => [
    `ALTER TABLE sms_inbound ADD COLUMN replied_at BIGINT`,
    `CREATE INDEX sms_inbound_replied ON sms_inbound (from_hash, replied_at)`,
    `DROP INDEX verification_sends_ip`,
    `CREATE INDEX verification_sends_venue_ip ON verification_sends (venue_id, client_ip, at)`,
  ],
};
export default migration;
