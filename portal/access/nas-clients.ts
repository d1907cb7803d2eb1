// NAS clients (RADIUS clients): who may talk to Foyer's RADIUS, with which secret,
// for which venue. Secrets are stored encrypted and only ever shown once.
import { randomUUID, randomBytes } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { z } from 'zod';
import type { Param, Queryable } from '../store/db.ts';
import { StoreError } from '../store/db.ts';
import type { FieldCipher } from '../crypto/fields.ts';
import { badInput, conflict } from '../errors.ts';
import type { ClientDirectory, NasClient } from '../../radius/types.ts';
import { nasPortalFields, nasPortalInput, type NasPortalSettings } from '../access-points/hand-back-settings.ts';
import { replyProfileOf, VENDORS } from '../access-points/registry.ts';
import { readCachesOf } from './access-caches.ts';
import { nasChanged } from './grant-changes.ts';

const address = z.string().refine((s) => {
  const [ip, bits, extra] = s.split('/');
  const v = isIP(ip);
  if (!v || extra !== undefined) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d+$/.test(bits) && n >= 0 && n <= (v === 4 ? 32 : 128);
}, 'an IP address or CIDR such as 192.0.2.10 or 192.0.2.0/24');

export const nasInput = z.object({
  name: z.string().trim().min(1).max(64),
  address,
  secret: z.string().min(8, 'at least 8 characters (16 or more random characters recommended)').max(128).optional(),
  vendor: z.enum(VENDORS),
  venueId: z.string().min(1),
  requireMessageAuthenticator: z.boolean().default(true),
  coaPort: z.number().int().min(1).max(65535).default(3799),
  ...nasPortalFields(),
});

export interface NasRecord extends NasClient {
  vendor: string;
  address: string;
  createdAt: number;
  portal: NasPortalSettings;
}

interface NasRow {
  id: string;
  name: string;
  address: string;
  secret_enc: string;
  vendor: string;
  venue_id: string;
  require_message_authenticator: number | boolean;
  coa_port: number;
  created_at: number;
  portal_id: string | null;
  uam_secret_enc: string | null;
  auth_method: string | null;
  controller_url: string | null;
  controller_user: string | null;
  controller_password_enc: string | null;
  controller_site: string | null;
  controller_ca: string | null;
  controller_insecure_tls: number | boolean | null;
  login_hosts: string | null;
  authmon: number | boolean | null;
}

const orUndef = <T>(v: T | null | undefined): T | undefined =>
  v === null || v === undefined || v === '' ? undefined : v;

function toPortal(r: NasRow, cipher: FieldCipher): NasPortalSettings {
  const url = orUndef(r.controller_url);
  const username = orUndef(r.controller_user);
  const password = r.controller_password_enc ? cipher.decrypt(r.controller_password_enc) : undefined;
  const site = orUndef(r.controller_site);
  const ca = orUndef(r.controller_ca);
  return {
    nasIdentifier: orUndef(r.portal_id),
    uamSecret: r.uam_secret_enc ? cipher.decrypt(r.uam_secret_enc) : undefined,
    authMethod: r.auth_method === 'chap' || r.auth_method === 'pap' ? r.auth_method : undefined,
    controller:
      url || username || password || site
        ? { url, username, password, site, ca, insecureTls: Boolean(r.controller_insecure_tls) }
        : undefined,
    loginHosts: (r.login_hosts ?? '').split(/\s+/).filter(Boolean),
    authmon: Boolean(r.authmon),
  };
}

type PortalInput = z.output<typeof nasPortalInput>;

/** Column values for the portal settings present in `p` (null clears; secrets encrypted). */
function portalColumns(p: PortalInput, cipher: FieldCipher): Array<[string, Param]> {
  const out: Array<[string, Param]> = [];
  const put = <K extends keyof PortalInput>(
    key: K,
    column: string,
    map: (v: NonNullable<PortalInput[K]>) => Param = (v) => v as Param,
  ) => {
    const v = p[key];
    if (v === undefined) return;
    out.push([column, v === null ? null : map(v as NonNullable<PortalInput[K]>)]);
  };
  put('nasIdentifier', 'portal_id');
  put('uamSecret', 'uam_secret_enc', (v) => cipher.encrypt(v));
  put('authMethod', 'auth_method');
  put('controllerUrl', 'controller_url');
  put('controllerUser', 'controller_user');
  put('controllerPassword', 'controller_password_enc', (v) => cipher.encrypt(v));
  put('controllerSite', 'controller_site');
  put('controllerCa', 'controller_ca');
  put('controllerInsecureTls', 'controller_insecure_tls', (v) => (v ? 1 : 0));
  put('loginHosts', 'login_hosts', (v) => v.join(' '));
  put('authmon', 'authmon', (v) => (v ? 1 : 0));
  return out;
}

const toRecord = (r: NasRow, cipher: FieldCipher): NasRecord => ({
  id: r.id,
  name: r.name,
  address: r.address,
  secret: Buffer.from(cipher.decrypt(r.secret_enc), 'utf8'),
  vendor: r.vendor,
  replyProfile: replyProfileOf(r.vendor),
  venueId: r.venue_id,
  requireMessageAuthenticator: Boolean(r.require_message_authenticator),
  coaPort: r.coa_port,
  createdAt: r.created_at,
  portal: toPortal(r, cipher),
});

export const generateSecret = () => randomBytes(18).toString('base64url');

/** Adds a NAS; returns it with the secret in clear (generated when none was given). */
export async function addNas(db: Queryable, cipher: FieldCipher, input: z.input<typeof nasInput>): Promise<NasRecord> {
  const parsed = nasInput.safeParse(input);
  if (!parsed.success)
    throw badInput('nas_invalid', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const n = parsed.data;
  const secret = n.secret ?? generateSecret();
  const id = randomUUID();
  const now = Date.now();
  const portal = portalColumns(n, cipher);
  const columns = [
    'id',
    'name',
    'address',
    'secret_enc',
    'vendor',
    'venue_id',
    'require_message_authenticator',
    'coa_port',
    'created_at',
    ...portal.map(([c]) => c),
  ];
  try {
    await db.run(`INSERT INTO nas_clients (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`, [
      id,
      n.name,
      n.address,
      cipher.encrypt(secret),
      n.vendor,
      n.venueId,
      n.requireMessageAuthenticator ? 1 : 0,
      n.coaPort,
      now,
      ...portal.map(([, v]) => v),
    ]);
  } catch (err) {
    if (err instanceof StoreError && err.code === 'conflict')
      throw conflict('nas_exists', `A NAS named "${n.name}" already exists.`);
    throw err;
  }
  await nasChanged(db);
  return (await findNasById(db, cipher, id))!;
}

/**
 * Changes a NAS's portal settings (`nas set`): present keys are set, null clears, absent
 * keys stay. Returns the NAS as it now is, or undefined when no NAS has that name or id.
 */
export async function updateNasPortal(
  db: Queryable,
  cipher: FieldCipher,
  nameOrId: string,
  input: z.input<typeof nasPortalInput>,
): Promise<NasRecord | undefined> {
  const parsed = nasPortalInput.safeParse(input);
  if (!parsed.success)
    throw badInput('nas_invalid', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const row = await db.get<{ id: string }>('SELECT id FROM nas_clients WHERE name = ? OR id = ?', [nameOrId, nameOrId]);
  if (!row) return undefined;
  const cols = portalColumns(parsed.data, cipher);
  if (cols.length) {
    await db.run(`UPDATE nas_clients SET ${cols.map(([c]) => `${c} = ?`).join(', ')} WHERE id = ?`, [
      ...cols.map(([, v]) => v),
      row.id,
    ]);
    await nasChanged(db);
  }
  return findNasById(db, cipher, row.id);
}

/**
 * Replaces a NAS's RADIUS settings (the console's edit form); the secret only when one is
 * given. False when there is no NAS with that id.
 */
export async function updateNasRadius(
  db: Queryable,
  cipher: FieldCipher,
  id: string,
  n: z.output<typeof nasInput>,
  secret: string | undefined,
): Promise<boolean> {
  try {
    const { changes } = await db.run(
      `UPDATE nas_clients SET name = ?, address = ?, vendor = ?, venue_id = ?, require_message_authenticator = ?, coa_port = ?${secret ? ', secret_enc = ?' : ''} WHERE id = ?`,
      [
        n.name,
        n.address,
        n.vendor,
        n.venueId,
        n.requireMessageAuthenticator ? 1 : 0,
        n.coaPort,
        ...(secret ? [cipher.encrypt(secret)] : []),
        id,
      ],
    );
    if (changes > 0) await nasChanged(db);
    return changes > 0;
  } catch (err) {
    if (err instanceof StoreError && err.code === 'conflict')
      throw conflict('nas_exists', `A NAS named "${n.name}" already exists.`);
    throw err;
  }
}

/**
 * Throws when a stored NAS secret cannot be decrypted (/healthz): a SECRET_KEY other than
 * the one that wrote the data breaks every page that reads it. No NAS yet: nothing to try.
 */
export async function assertNasSecretsReadable(db: Queryable, cipher: FieldCipher): Promise<void> {
  const sample = await db.get<{ v: string }>('SELECT secret_enc AS v FROM nas_clients LIMIT 1');
  if (sample) cipher.decrypt(sample.v);
}

/**
 * The venues whose UniFi NAS serves this controller site (its --site, its --nas-id, or
 * "default" when neither is set).
 */
export async function venuesOfUnifiSite(db: Queryable, site: string): Promise<string[]> {
  const rows = await db.all<{ venue_id: string }>(
    `SELECT DISTINCT venue_id FROM nas_clients
     WHERE vendor = 'unifi' AND (controller_site = ? OR portal_id = ? OR (? = 'default' AND controller_site IS NULL AND portal_id IS NULL))`,
    [site, site, site],
  );
  return rows.map((r) => r.venue_id);
}

/**
 * The NAS registered for one venue, for picking the one a guest's redirect came from: from
 * memory when the context keeps it (nas-list-cache.ts). The records are shared: read, never change them.
 */
export async function listVenueNas(db: Queryable, cipher: FieldCipher, venueId: string): Promise<readonly NasRecord[]> {
  const caches = readCachesOf(db);
  // The reader is made only on a miss: every screen 1 asks, and a closure bound to a name per
  // call costs tsx's __name (keepNames) a defineProperty each time (13 us of a screen 1 request).
  return caches
    ? caches.nasLists.get(venueId, () => readVenueNas(db, cipher, venueId))
    : readVenueNas(db, cipher, venueId);
}

async function readVenueNas(db: Queryable, cipher: FieldCipher, venueId: string): Promise<NasRecord[]> {
  const rows = await db.all<NasRow>('SELECT * FROM nas_clients WHERE venue_id = ? ORDER BY name', [venueId]);
  return rows.map((r) => toRecord(r, cipher));
}

export async function listNas(db: Queryable, cipher: FieldCipher): Promise<NasRecord[]> {
  return (await db.all<NasRow>('SELECT * FROM nas_clients ORDER BY name')).map((r) => toRecord(r, cipher));
}

export async function findNasById(db: Queryable, cipher: FieldCipher, id: string): Promise<NasRecord | undefined> {
  const r = await db.get<NasRow>('SELECT * FROM nas_clients WHERE id = ?', [id]);
  return r && toRecord(r, cipher);
}

export async function removeNas(db: Queryable, nameOrId: string): Promise<boolean> {
  const { changes } = await db.run('DELETE FROM nas_clients WHERE name = ? OR id = ?', [nameOrId, nameOrId]);
  if (changes > 0) await nasChanged(db);
  return changes > 0;
}

/**
 * The RADIUS server's view of the NAS table: exact addresses first, then the most
 * specific CIDR. Reloaded at most every `ttlMs`, so a packet costs a Map lookup, and at
 * the next packet after a NAS write of this process (invalidate(), through
 * access-caches.ts; the table in hand still answers while it reloads).
 */
export class NasDirectory implements ClientDirectory {
  private exact = new Map<string, NasRecord>();
  private ranges: { list: BlockList; bits: number; nas: NasRecord }[] = [];
  private loadedAt = 0;
  private stale = false;
  private loading?: Promise<void>;

  constructor(
    private db: Queryable,
    private cipher: FieldCipher,
    private ttlMs = 5000,
  ) {}

  invalidate(): void {
    this.stale = true;
  }

  async reload(): Promise<void> {
    this.stale = false;
    const all = await listNas(this.db, this.cipher);
    const exact = new Map<string, NasRecord>();
    const ranges: typeof this.ranges = [];
    for (const nas of all) {
      const [ip, bits] = nas.address.split('/');
      const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
      const full = family === 'ipv4' ? 32 : 128;
      if (bits === undefined || Number(bits) === full) exact.set(ip.toLowerCase(), nas);
      else {
        const list = new BlockList();
        list.addSubnet(ip, Number(bits), family);
        ranges.push({ list, bits: Number(bits), nas });
      }
    }
    ranges.sort((a, b) => b.bits - a.bits);
    this.exact = exact;
    this.ranges = ranges;
    this.loadedAt = Date.now();
  }

  /** A Map hit, synchronous, except before the first load. */
  findBySource(addr: string): NasClient | undefined | Promise<NasClient | undefined> {
    if (this.stale || Date.now() - this.loadedAt > this.ttlMs) {
      this.loading ??= this.reload().finally(() => (this.loading = undefined));
      // A stale table still answers while the reload is under way.
      if (this.loadedAt === 0) return this.loading.then(() => this.lookup(addr));
      this.loading.catch(() => undefined);
    }
    return this.lookup(addr);
  }

  private lookup(addr: string): NasClient | undefined {
    const ip = addr.startsWith('::ffff:') && isIP(addr.slice(7)) === 4 ? addr.slice(7) : addr.toLowerCase();
    const hit = this.exact.get(ip);
    if (hit) return hit;
    const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
    return this.ranges.find((r) => r.list.check(ip, family))?.nas;
  }
}
