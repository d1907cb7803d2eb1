// The small interface radius/ needs from the product. radius/ answers packets;
// whoever implements these decides (portal/access/ in Foyer). Nothing here
// imports from portal/.

/** The reply-attribute families a NAS may read (vendor-attributes.ts holds each one's attributes). */
export type ReplyProfileId = 'wispr' | 'chillispot' | 'mikrotik' | 'airespace' | 'aruba-role' | 'filter-id' | 'none';

/** A NAS (RADIUS client) as the protocol layer sees it. */
export interface NasClient {
  id: string;
  name: string;
  /** Shared secret, in clear, as configured on the NAS. */
  secret: Buffer;
  /** Which reply attributes the NAS reads for speed, data caps and roles (vendor-attributes.ts). */
  replyProfile: ReplyProfileId;
  venueId: string;
  /** BlastRADIUS (CVE-2024-3596): true unless the admin allowed legacy equipment. */
  requireMessageAuthenticator: boolean;
  /** Where Disconnect-Request / CoA-Request go (RFC 5176), default 3799. */
  coaPort: number;
}

/** Finds the NAS that sent a packet, by source address (exact IP or CIDR match). */
export interface ClientDirectory {
  findBySource(address: string): NasClient | undefined | Promise<NasClient | undefined>;
}

export interface AccessRequest {
  nas: NasClient;
  userName: string;
  method: 'pap' | 'chap';
  /**
   * Checks a candidate clear-text password against what the NAS sent: the PAP
   * User-Password, or the CHAP response over CHAP-Challenge (or the request
   * authenticator). Constant time. Policy fetches the password; protocol checks it.
   */
  checkPassword(candidate: string): boolean;
  callingStationId?: string;
  calledStationId?: string;
  nasIdentifier?: string;
  nasIpAddress?: string;
  framedIpAddress?: string;
  /** Every decoded attribute, for policy that needs more (vendor attributes included). */
  attributes: Record<string, unknown>;
}

export interface Bandwidth {
  /** Kilobits per second, guest to network. 0 or absent: unlimited. */
  upKbps?: number;
  /** Kilobits per second, network to guest. */
  downKbps?: number;
}

export type AccessDecision =
  | {
      result: 'accept';
      sessionTimeout?: number;
      idleTimeout?: number;
      interimInterval?: number;
      /** Echoed by the NAS in accounting, ties sessions back to the grant. */
      class?: string;
      bandwidth?: Bandwidth;
      /** Bytes the session may still use; mapped to the vendor's data-cap attributes where it has them. */
      dataLimitBytes?: number;
      replyMessage?: string;
      /**
       * Name of a role / group policy defined on the NAS, for vendors that limit
       * through one: sent as Aruba-User-Role (aruba) or Filter-Id (meraki); ignored elsewhere.
       */
      role?: string;
    }
  /** reason: a short code for the log (e.g. expired, revoked); the NAS sees replyMessage only. */
  | { result: 'reject'; replyMessage: string; reason?: string }
  /** Send nothing (for instance the database is down): the NAS fails over to its secondary server. */
  | { result: 'drop'; reason: string };

export type AccountingStatus = 'start' | 'interim' | 'stop' | 'accounting-on' | 'accounting-off';

export interface AccountingRecord {
  nas: NasClient;
  status: AccountingStatus;
  sessionId?: string;
  userName?: string;
  callingStationId?: string;
  calledStationId?: string;
  framedIpAddress?: string;
  class?: string;
  sessionTimeSeconds?: number;
  /** Octets with Acct-Input-Gigawords folded in (guest to network). */
  inputOctets?: number;
  outputOctets?: number;
  terminateCause?: string;
  /** Event-Timestamp when the NAS sent one, else the receive time. */
  eventTime: Date;
  attributes: Record<string, unknown>;
}

export interface Authorizer {
  /** A decision at once (e.g. from a cache) or later; throwing or rejecting means no answer. */
  authorize(request: AccessRequest): AccessDecision | Promise<AccessDecision>;
  /** Resolves once the record is stored; the Accounting-Response goes out only then. Throwing means no response. */
  account(record: AccountingRecord): Promise<void>;
}

/** pino-compatible subset, so radius/ does not depend on the product's logger setup. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Optional counters the product can hook to its metrics. */
export interface RadiusObserver {
  packet(port: 'auth' | 'acct', type: string, result: string): void;
}
