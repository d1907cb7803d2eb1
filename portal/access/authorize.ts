// Access-Request policy: who may be online, for how long, at what speed.
// Order matters: the password is checked before the grant's state is revealed, so a
// wrong password never learns that a grant exists or has expired.
import type { Queryable } from '../store/db.ts';
import type { FieldCipher } from '../crypto/fields.ts';
import type { AccessDecision, AccessRequest, Logger } from '../../radius/types.ts';
import { isUnavailable } from '../store/db.ts';
import { grantStateByMac, grantStateByUsername, type GrantState } from './grant-state.ts';
import { macKey, usernameKey, type GrantStateCache } from './grant-cache.ts';
import { announce } from './access-caches.ts';
import type { PasswordCache } from './password-cache.ts';
import { normaliseMac } from './mac-format.ts';
import { recordReject, replyMessage, type RejectReason } from './reject-reasons.ts';
import type { VenueSettingsCache } from './venue-cache.ts';
import type { VenueSettings } from '../venues/settings.ts';

export interface AuthorizeDeps {
  db: Queryable;
  cipher: FieldCipher;
  log: Logger;
  now: () => number;
  venues: VenueSettingsCache;
  /** Short-lived grant state (grant-cache.ts); absent or disabled: every request reads the database. */
  grants?: GrantStateCache;
  /** Stored passwords decrypted once (password-cache.ts); absent: decrypted at each request. */
  passwords?: PasswordCache;
  /**
   * Purposes whose consent was given under wording the venue has since changed. A returning
   * device is then refused MAC authentication so the NAS sends the guest to the portal,
   * which asks again (injected by main.ts: the wording is the guest pages' business).
   */
  outdatedConsents?: (grant: GrantState) => Promise<string[]>;
}

/**
 * The decision, synchronously when the grant is in the cache (the busiest path: no promise
 * to make and settle), else once the database has answered.
 */
export function authorize(deps: AuthorizeDeps, req: AccessRequest): AccessDecision | Promise<AccessDecision> {
  const now = deps.now();
  try {
    const userMac = normaliseMac(req.userName);
    // MAC authentication names the device twice, as User-Name and Calling-Station-Id: normalised once.
    const stationMac =
      userMac !== undefined && req.callingStationId === req.userName ? userMac : normaliseMac(req.callingStationId);
    const d = userMac ? byMac(deps, req, userMac, stationMac, now) : byPassword(deps, req, stationMac, now);
    return d instanceof Promise ? d.catch((err) => failed(deps, req, err)) : d;
  } catch (err) {
    return failed(deps, req, err);
  }
}

/** Never a reject for our own trouble: without an answer the NAS tries its next server. */
function failed(deps: AuthorizeDeps, req: AccessRequest, err: unknown): AccessDecision {
  const reason = isUnavailable(err) ? 'database unavailable' : 'internal error';
  deps.log[isUnavailable(err) ? 'warn' : 'error']({ err, nas: req.nas.name }, `access-request dropped: ${reason}`);
  return { result: 'drop', reason };
}

function byPassword(
  deps: AuthorizeDeps,
  req: AccessRequest,
  mac: string | undefined,
  now: number,
): AccessDecision | Promise<AccessDecision> {
  const key = usernameKey(req.userName, mac);
  const g = hit(deps.grants, key);
  if (g) return checkPassword(deps, req, g, mac, now);
  return readThrough(deps.grants, key, () => grantStateByUsername(deps.db, req.userName, mac, now)).then((g) =>
    checkPassword(deps, req, g, mac, now),
  );
}

function checkPassword(
  deps: AuthorizeDeps,
  req: AccessRequest,
  g: GrantState | undefined,
  mac: string | undefined,
  now: number,
): AccessDecision | Promise<AccessDecision> {
  const venueId = req.nas.venueId;
  // An unknown name is recorded against the device only: strangers' guesses must not fill the table.
  if (!g) return reject(deps, { venueId, mac }, 'unknown', now);
  if (!req.checkPassword(deps.passwords ? deps.passwords.get(g.passwordEnc) : deps.cipher.decrypt(g.passwordEnc)))
    return reject(deps, { venueId, mac, username: g.username }, 'wrong_password', now);
  if (g.venueId !== venueId) return reject(deps, { venueId, mac, username: g.username }, 'wrong_venue', now);
  // The credentials travel in the hand-back (in clear for most vendors), so they are bound
  // to the device the guest signed up on: another device presenting them is refused, where
  // the grant names the device and the NAS says which one is asking.
  if (g.clientMac && mac && g.clientMac !== mac)
    return reject(deps, { venueId, mac, username: g.username }, 'other_device', now);
  return decide(deps, g, venueId, mac, g.username, now);
}

/**
 * What both paths share once the asker is known to be entitled to ask about `g`: blocks,
 * revocation, the window (renewed for a remembered device), re-consent, limits. No object
 * is made for an accept but the answer itself (whom a reject names is built when rejecting).
 */
function decide(
  deps: AuthorizeDeps,
  g: GrantState,
  venueId: string,
  mac: string | undefined,
  username: string | undefined,
  now: number,
): AccessDecision | Promise<AccessDecision> {
  if (g.blockedUntil !== null && g.blockedUntil > now) return reject(deps, { venueId, mac, username }, 'blocked', now);
  if (g.revokedAt !== null) return reject(deps, { venueId, mac, username }, 'revoked', now);
  if (g.endsAt <= now) {
    // Only MAC authentication (no username) renews a remembered device's window.
    if (username !== undefined || g.rememberUntil <= now)
      return reject(deps, { venueId, mac, username }, username === undefined ? 'not_remembered' : 'expired', now);
    return renewWindow(deps, g, now).then((r) => decide(deps, r, venueId, mac, username, now));
  }
  if (g.reconsent) return reject(deps, { venueId, mac, username }, 'reconsent', now);
  const settings = deps.venues.peek(g.venueId);
  return settings
    ? admit(deps, g, venueId, mac, username, now, settings)
    : deps.venues.get(g.venueId).then((s) => admit(deps, g, venueId, mac, username, now, s));
}

/**
 * MAC authentication of a returning device. The NAS vouches for the MAC (shared secret,
 * Message-Authenticator), so the password it sends (often the MAC again) is not checked.
 * Inside the grant's window the device gets what is left of it; after the window but inside
 * the remember window it gets a NEW window of the venue's current duration (and a fresh
 * data allowance), recorded on the grant so accounting and later requests agree.
 * A cached grant carries its re-consent verdict, so a returning device inside its window
 * is answered synchronously from memory, as a password is.
 */
function byMac(
  deps: AuthorizeDeps,
  req: AccessRequest,
  mac: string,
  stationMac: string | undefined,
  now: number,
): AccessDecision | Promise<AccessDecision> {
  const venueId = req.nas.venueId;
  // User-Name and Calling-Station-Id naming different devices is not MAC authentication.
  if (stationMac && stationMac !== mac) return reject(deps, { venueId, mac }, 'unknown', now);
  const key = macKey(mac, venueId);
  const g = hit(deps.grants, key);
  if (g) return decide(deps, g, venueId, mac, undefined, now);
  return readThrough(deps.grants, key, () => macState(deps, mac, venueId, now)).then((g) =>
    g ? decide(deps, g, venueId, mac, undefined, now) : reject(deps, { venueId, mac }, 'not_remembered', now),
  );
}

/**
 * The device's latest grant at the venue with its re-consent verdict, which is cached with
 * it: the venue's wording and the person's consent, the two things it is made from, drop
 * the entry when they change (grant-cache.ts, grant-changes.ts).
 */
async function macState(
  deps: AuthorizeDeps,
  mac: string,
  venueId: string,
  now: number,
): Promise<GrantState | undefined> {
  const g = await grantStateByMac(deps.db, mac, venueId, now);
  if (g && deps.outdatedConsents) g.reconsent = (await deps.outdatedConsents(g)).length > 0;
  return g;
}

// A hit is answered without awaiting anything: on the busiest path each await costs.
const hit = (cache: GrantStateCache | undefined, key: string) => (cache?.enabled ? cache.get(key) : undefined);

/** The database, the answer kept unless something changed the grant meanwhile. */
async function readThrough(
  cache: GrantStateCache | undefined,
  key: string,
  read: () => Promise<GrantState | undefined>,
): Promise<GrantState | undefined> {
  if (!cache?.enabled) return read();
  const epoch = cache.mark();
  const g = await read();
  if (g) cache.set(key, g, epoch);
  return g;
}

async function renewWindow(deps: AuthorizeDeps, g: GrantState, now: number): Promise<GrantState> {
  const settings = await deps.venues.get(g.venueId);
  const endsAt = now + settings.session.durationMinutes * 60_000;
  // What was used so far becomes the base the new window's usage is counted from.
  // Only the first of two racing requests moves the window.
  await deps.db.run(
    `UPDATE grants SET starts_at = ?, ends_at = ?,
       used_base_octets = (SELECT COALESCE(SUM(s.input_octets + s.output_octets), 0) FROM sessions s WHERE s.grant_id = grants.id)
     WHERE id = ? AND ends_at <= ?`,
    [now, endsAt, g.id, now],
  );
  announce(deps.db, (c) => c.grantChanged(g.id));
  return { ...g, startsAt: now, endsAt, usedOctets: 0, sessionTimeout: settings.session.durationMinutes * 60 };
}

function admit(
  deps: AuthorizeDeps,
  g: GrantState,
  venueId: string,
  mac: string | undefined,
  username: string | undefined,
  now: number,
  settings: VenueSettings,
): AccessDecision | Promise<AccessDecision> {
  if (g.dataCapBytes > 0 && g.usedOctets >= g.dataCapBytes)
    return reject(deps, { venueId, mac, username }, 'data_used_up', now);
  if (g.otherOpenSessions >= g.maxSessions)
    return reject(deps, { venueId, mac, username }, 'too_many_devices', now, { maxSessions: g.maxSessions });
  const left = Math.max(1, Math.floor((g.endsAt - now) / 1000));
  const up = g.upKbps > 0 ? g.upKbps : undefined;
  const down = g.downKbps > 0 ? g.downKbps : undefined;
  return {
    result: 'accept',
    sessionTimeout: g.sessionTimeout > 0 ? Math.min(left, g.sessionTimeout) : left,
    idleTimeout: g.idleTimeout > 0 ? g.idleTimeout : undefined,
    interimInterval: settings.session.interimMinutes * 60,
    class: g.id,
    bandwidth: up || down ? { upKbps: up, downKbps: down } : undefined,
    dataLimitBytes: g.dataCapBytes > 0 ? g.dataCapBytes - g.usedOctets : undefined,
  };
}

/** Whom a reject is recorded against, and the venue whose NAS refused them. */
type Who = { venueId: string; mac?: string; username?: string };

async function reject(
  deps: AuthorizeDeps,
  who: Who,
  reason: RejectReason,
  now: number,
  params?: { maxSessions?: number },
): Promise<AccessDecision> {
  try {
    await recordReject(deps.db, who, reason, now);
  } catch (err) {
    // The answer matters more than the note for the portal.
    deps.log.warn({ err, reason }, 'could not record the reject reason');
  }
  return { result: 'reject', replyMessage: replyMessage(reason, params), reason };
}
