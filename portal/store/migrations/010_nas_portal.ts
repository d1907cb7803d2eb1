// What a NAS needs beyond RADIUS for the guest's hand-over (portal/access-points/): the
// identifier its redirect carries, the UAM secret or FAS key, CHAP or PAP, the management
// API of controllers that are told through it, and the hosts it may send guests to log in
// at. Secrets are stored encrypted (ctx.cipher); the rest is plain so admins can read it.
import type { Migration } from './sql.ts';

const migration: Migration = {
  id: '010_nas_portal',
  up: () => [
    // NAS-Identifier, MikroTik identity/server-name, Meraki AP name, UniFi site, …
    `ALTER TABLE nas_clients ADD COLUMN portal_id TEXT`,
    `ALTER TABLE nas_clients ADD COLUMN uam_secret_enc TEXT`,
    // 'chap' | 'pap'; NULL: the adapter's default (CHAP when the NAS sends a challenge).
    `ALTER TABLE nas_clients ADD COLUMN auth_method TEXT`,
    `ALTER TABLE nas_clients ADD COLUMN controller_url TEXT`,
    `ALTER TABLE nas_clients ADD COLUMN controller_user TEXT`,
    `ALTER TABLE nas_clients ADD COLUMN controller_password_enc TEXT`,
    `ALTER TABLE nas_clients ADD COLUMN controller_site TEXT`,
    `ALTER TABLE nas_clients ADD COLUMN controller_ca TEXT`,
    `ALTER TABLE nas_clients ADD COLUMN controller_insecure_tls INTEGER NOT NULL DEFAULT 0`,
    // Space-separated host, host:port or *.domain entries.
    `ALTER TABLE nas_clients ADD COLUMN login_hosts TEXT NOT NULL DEFAULT ''`,
    // openNDS FAS level 3: authorisations are collected by the gateway's authmon.
    `ALTER TABLE nas_clients ADD COLUMN authmon INTEGER NOT NULL DEFAULT 0`,
    `CREATE INDEX nas_clients_venue ON nas_clients (venue_id)`,
  ],
};
export default migration;
