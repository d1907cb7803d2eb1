// What a NAS redirect tells us about the guest, in one vendor-neutral shape.

export interface Handoff {
  /** Adapter that read the redirect. */
  vendor: string;
  /** Normalised lower-case colon form aa:bb:cc:dd:ee:ff. */
  clientMac?: string;
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
}

export interface AccessPointAdapter {
  vendor: string;
  /** True when these redirect parameters look like this vendor's. */
  detect(query: Record<string, string>): boolean;
  /** Reads the redirect; throws HandoffError with a reason for what it cannot use. */
  parse(query: Record<string, string>, ctx: AdapterContext): Handoff;
  handBack(handoff: Handoff, credentials: Credentials, ctx: AdapterContext): Promise<HandBack>;
}

export class HandoffError extends Error {
  readonly code = 'handoff_invalid';
  constructor(readonly reason: string) {
    super(`The access point's redirect cannot be used: ${reason}`);
  }
}
