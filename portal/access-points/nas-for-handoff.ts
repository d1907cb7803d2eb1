// The NAS a guest's redirect came from, within the venue, and what its adapter needs from
// it: the secret, CHAP or PAP, the controller, the grant's limits. Picked by the identifier
// the redirect carries, else by vendor when the venue has one NAS of that vendor, else
// none (the vendor's default behaviour). Also the one place that refuses to hand a guest's
// credentials to a host the venue did not configure.
import type { FieldCipher } from '../crypto/fields.ts';
import type { Queryable } from '../store/db.ts';
import type { VenueSettings } from '../venues/settings.ts';
import { listVenueNas, type NasRecord } from '../access/nas-clients.ts';
import type { AccessPointAdapter, AdapterContext, Handoff } from './handoff.ts';
import { HandoffError } from './handoff.ts';
import { adapterFor, detectAdapter } from './index.ts';
import { normaliseMac } from './device-mac.ts';
import { loginUrlAllowed } from './login-hosts.ts';
import { authority } from './safe-url.ts';
import type { AccessPointState } from './process-state.ts';

export interface NasDeps {
  db: Queryable;
  cipher: FieldCipher;
  log: { warn(obj: object, msg?: string): void };
  /** The process's authmon queue and controller clients (made in buildContext). */
  accessPoints: AccessPointState;
}

export interface VenueRef {
  id: string;
  slug: string;
  settings: Pick<VenueSettings, 'session' | 'nasVendor'>;
}

/** Values in a Handoff that name the NAS, AP or site, as vendors send them. */
const EXTRA_IDS = ['server-name', 'zoneName', 'zone', 'site', 'gateway_id', 'gatewayname', 'apname'];

function idKey(v: string): string {
  return normaliseMac(v) ?? v.trim().toLowerCase();
}

/** The venue's NAS this Handoff names, else the only one of its vendor, else none. */
export function pickNas(list: readonly NasRecord[], h: Handoff): NasRecord | undefined {
  const seen = new Set(
    [h.nasId, h.apMac, ...EXTRA_IDS.map((k) => h.extra[k])].filter((v): v is string => Boolean(v)).map(idKey),
  );
  const named = list.filter((n) => {
    const ids = [
      n.portal.nasIdentifier,
      n.vendor === 'unifi' && h.extra.site ? (n.portal.controller?.site ?? 'default') : undefined,
    ];
    return ids.some((id) => id !== undefined && seen.has(idKey(id)));
  });
  if (named.length) return named.find((n) => n.vendor === h.vendor) ?? named[0];
  const sameVendor = list.filter((n) => n.vendor === h.vendor);
  return sameVendor.length === 1 ? sameVendor[0] : undefined;
}

/** What the adapter needs from this NAS (none: the vendor's defaults) and the venue. */
export function adapterContextFor(
  nas: NasRecord | undefined,
  session: VenueSettings['session'],
  state?: AccessPointState,
): AdapterContext {
  const p = nas?.portal;
  const c = p?.controller;
  return {
    uamSecret: p?.uamSecret,
    authMethod: p?.authMethod,
    grant: {
      minutes: session.durationMinutes,
      upKbps: session.upKbps,
      downKbps: session.downKbps,
      megabytes: session.dataCapMb,
    },
    controller:
      c && (c.url || c.password)
        ? {
            url: c.url ?? '',
            username: c.username,
            password: c.password,
            site: c.site,
            ca: c.ca,
            insecureTls: c.insecureTls,
          }
        : undefined,
    pendingAuth: p?.authmon && state ? state.authmon : undefined,
    controllerClients: state?.controllers,
  };
}

/**
 * Addresses the hand-back would contact with the guest's credentials or the NAS's secrets.
 * Mirrors the adapters' choice: where the NAS is told through its API, the redirect's login
 * address is never used.
 */
function destinations(h: Handoff, nas: NasRecord | undefined): string[] {
  const c = nas?.portal.controller;
  if (h.vendor === 'ruckus' && c?.password) {
    // Without a configured NBI URL the adapter posts the NBI password to the redirect's nbiIP.
    return !c.url && h.extra.nbiIP ? [`http://${authority(h.extra.nbiIP, 9080)}/`] : [];
  }
  if (h.vendor === 'opnsense' && c?.url && c.username) return [];
  if (h.vendor === 'opennds' && nas?.portal.authmon && h.extra.level === '2') return [];
  return h.loginUrl ? [h.loginUrl] : [];
}

/**
 * Refuses a Handoff whose login address the venue did not configure: the picked NAS's login
 * hosts, its vendor's cloud hosts or its own address; with no NAS picked, any of the venue's.
 * A venue with no NAS at all is let through: RADIUS answers registered NAS only, and only
 * for their own venue's grants, so there is nowhere such credentials could be used.
 */
export function checkLoginHost(h: Handoff, nas: NasRecord | undefined, venueNas: readonly NasRecord[]): void {
  const rules = nas ? [nas] : venueNas;
  if (!rules.length) return;
  for (const url of destinations(h, nas)) {
    if (
      !rules.some((n) =>
        loginUrlAllowed(url, { vendor: n.vendor, address: n.address, loginHosts: n.portal.loginHosts }),
      )
    ) {
      throw new HandoffError(
        `the login address ${new URL(url).host} is not a login host configured for ${nas ? `NAS "${nas.name}"` : "this venue's NAS"} (nas set --login-host)`,
      );
    }
  }
}

function pickAdapter(
  list: readonly NasRecord[],
  query: Record<string, string>,
  venueVendor?: string,
): AccessPointAdapter {
  // The configured vendor first (the NAS clients', else the venue's default); generic only
  // when nothing more specific recognises the redirect.
  const vendors = list.length ? list.map((n) => n.vendor) : venueVendor ? [venueVendor] : [];
  const configured = [...new Set(vendors)]
    .filter((v) => v !== 'generic')
    .map((v) => adapterFor(v))
    .filter((a): a is AccessPointAdapter => Boolean(a?.detect(query)));
  return configured.length === 1 ? configured[0] : detectAdapter(query);
}

/** Parses with each candidate NAS's secret in turn: an encrypted redirect names its NAS only inside. */
function parseWith(
  adapter: AccessPointAdapter,
  query: Record<string, string>,
  candidates: readonly NasRecord[],
  venue: VenueRef,
  state: AccessPointState,
): Handoff {
  if (!candidates.length) return adapter.parse(query, adapterContextFor(undefined, venue.settings.session));
  let first: unknown;
  for (const n of candidates) {
    try {
      return adapter.parse(query, adapterContextFor(n, venue.settings.session, state));
    } catch (err) {
      if (!(err instanceof HandoffError)) throw err;
      first ??= err;
    }
  }
  throw first;
}

function refused(deps: NasDeps, venue: VenueRef, vendor: string, err: unknown): never {
  if (err instanceof HandoffError)
    deps.log.warn({ venue: venue.slug, vendor, reason: err.reason }, 'NAS redirect refused');
  throw err;
}

/** The guest's entry: the redirect read by the right adapter with its NAS's settings, checked. */
export async function readRedirect(
  deps: NasDeps,
  venue: VenueRef,
  query: Record<string, string>,
): Promise<{ handoff: Handoff; nas?: NasRecord }> {
  const list = await listVenueNas(deps.db, deps.cipher, venue.id);
  const adapter = pickAdapter(list, query, venue.settings.nasVendor);
  try {
    const handoff = parseWith(
      adapter,
      query,
      list.filter((n) => n.vendor === adapter.vendor),
      venue,
      deps.accessPoints,
    );
    const nas = pickNas(list, handoff);
    checkLoginHost(handoff, nas, list);
    return { handoff, nas };
  } catch (err) {
    return refused(deps, venue, adapter.vendor, err);
  }
}

/** The hand-back's context for a stored Handoff; the login address is checked again (settings may have changed). */
export async function handBackContextFor(deps: NasDeps, venue: VenueRef, h: Handoff): Promise<AdapterContext> {
  const list = await listVenueNas(deps.db, deps.cipher, venue.id);
  const nas = pickNas(list, h);
  try {
    checkLoginHost(h, nas, list);
  } catch (err) {
    return refused(deps, venue, h.vendor, err);
  }
  return adapterContextFor(nas, venue.settings.session, deps.accessPoints);
}

/** Origins the hand-back may send the guest's browser to (for the code page's CSP form-action). */
export function handBackOrigins(h: Handoff): string[] {
  if (!h.loginUrl) return [];
  try {
    return [new URL(h.loginUrl).origin];
  } catch {
    return [];
  }
}
