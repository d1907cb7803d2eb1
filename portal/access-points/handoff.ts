// What a NAS redirect tells us about the guest, in one vendor-neutral shape.
import { FoyerError } from '../errors.ts';

export interface Handoff {
  /** Adapter that read the redirect. */
  vendor: string;
  /** Normalised lower-case colon form aa:bb:cc:dd:ee:ff. */
  clientMac?: string;
  /**
   * The client MAC is locally administered: a phone's private per-network address, which
   * iOS and Android may rotate. Record it; never let it alone identify a returning guest.
   */
  clientMacPrivate?: boolean;
  clientIp?: string;
  /** NAS or AP identity as the vendor names it (NAS-Identifier, AP MAC, gateway id). */
  nasId?: string;
  apMac?: string;
  ssid?: string;
  /** Where the guest is sent (or posts) to log in on the NAS. */
  loginUrl?: string;
  /** CHAP challenge in hex, where the vendor uses one. */
  challenge?: string;
  /** The page the guest wanted; only ever an http(s) URL. */
  originalUrl?: string;
  /** Vendor-specific values the hand-back needs (uamip, uamport, chap-id, token, …). */
  extra: Record<string, string>;
}

export interface Credentials {
  username: string;
  password: string;
}

/** How the guest is handed back to the NAS; both work without JavaScript. */
export type HandBack =
  | { kind: 'redirect'; url: string }
  | { kind: 'form'; action: string; method: 'GET' | 'POST'; fields: Record<string, string> }
  /** The vendor was told through its own API; the guest just continues to this page. */
  | { kind: 'done'; url?: string };

export interface AdapterContext {
  /** The shared UAM secret or FAS key of the NAS, where the vendor uses one. */
  uamSecret?: string;
  /** CoovaChilli and MikroTik can log in either way; CHAP when unset and the NAS sent a challenge. */
  authMethod?: 'pap' | 'chap';
  /** What the grant allows, for vendors that are told through their API rather than by RADIUS. */
  grant?: GrantLimits;
  /** The NAS's management API, for vendors whose guests are authorised through it. */
  controller?: ControllerSettings;
  /** Where openNDS authmon (FAS level 3) collects authorisations it polls for. */
  pendingAuth?: PendingAuthQueue;
  /** Logged-in management-API clients kept between guests; without it each hand-back logs in anew. */
  controllerClients?: ControllerClientPool;
}

export interface GrantLimits {
  minutes?: number;
  /** Kilobits per second; 0 or absent: unlimited. */
  upKbps?: number;
  downKbps?: number;
  /** Data allowance in megabytes; 0 or absent: unlimited. */
  megabytes?: number;
}

/**
 * One shape for UniFi (controller URL, admin user, site), Ruckus SmartZone (NBI URL and
 * RequestPassword) and OPNsense (URL, API key and secret, zone id in `site`).
 */
export interface ControllerSettings {
  url: string;
  username?: string;
  password?: string;
  site?: string;
  /** PEM of a private CA; controllers mostly ship self-signed certificates. */
  ca?: string;
  /** Accept any certificate: only for a controller reached over a private network. */
  insecureTls?: boolean;
  timeoutMs?: number;
}

/** Clients of NAS management APIs, one per controller and its settings (controller-clients.ts). */
export interface ControllerClientPool {
  get<T extends object>(kind: string, settings: ControllerSettings, open: (s: ControllerSettings) => T): T;
}

/** Authorisations the NAS fetches later instead of being told now (openNDS authmon). */
export interface PendingAuthQueue {
  put(gatewayHash: string, key: string, entry: string): Promise<void>;
}

export interface AccessPointAdapter {
  vendor: string;
  /** True when these redirect parameters look like this vendor's. */
  detect(query: Record<string, string>): boolean;
  /** Reads the redirect; throws HandoffError with a reason for what it cannot use. */
  parse(query: Record<string, string>, ctx: AdapterContext): Handoff;
  handBack(handoff: Handoff, credentials: Credentials, ctx: AdapterContext): Promise<HandBack>;
}

/** A 400 page for the guest in their language; nas-for-handoff.ts logs the reason for the admin. */
export class HandoffError extends FoyerError {
  constructor(readonly reason: string) {
    super('handoff_invalid', 400, `The access point's redirect cannot be used: ${reason}`, { reason });
  }
}
