// The RADIUS server: UDP authentication and accounting, IPv4 and IPv6.
// Order of work per datagram is cheapest-first so junk costs little: framing,
// code, known source, authenticators, duplicates, then decoding and policy.
import dgram from 'node:dgram';
import { lookup, type LookupOneOptions } from 'node:dns';
import { isIP, type AddressInfo } from 'node:net';
import {
  verifyAccountingMessageAuthenticator,
  verifyAccountingRequestAuthenticator,
  verifyRequestMessageAuthenticator,
} from './authenticators.ts';
import { CODE, decodeAttributes, loadDictionaries, parsePacket, type RawPacket } from './codec.ts';
import { DropLog } from './drop-log.ts';
import { logAccess, logAccounting, type AccessLines } from './decision-log.ts';
import { DuplicateCache, type Slot } from './duplicate-cache.ts';
import { RadiusError } from './errors.ts';
import { toAccessRequest, toAccountingRecord } from './requests.ts';
import { accessReply, accountingResponse, decisionReply } from './responses.ts';
import type {
  AccessDecision,
  AccessRequest,
  AccountingRecord,
  Authorizer,
  ClientDirectory,
  Logger,
  NasClient,
  RadiusObserver,
} from './types.ts';

export interface RadiusServerOptions {
  clients: ClientDirectory;
  authorizer: Authorizer;
  authPort: number;
  acctPort: number;
  /** '::' (default) listens dual-stack; '127.0.0.1' or '::1' for loopback only. */
  host?: string;
  logger: Logger;
  /**
   * Where the one line per answer goes (decision-log.ts); default `logger`. Its fields are
   * few and masked, so the product gives it a logger without redaction, which was most of
   * the line's cost (issue 18).
   */
  decisionLogger?: Logger & Partial<AccessLines>;
  observer?: RadiusObserver;
  /** SO_RCVBUF for both sockets; raise it for bursts (the default drops under load). */
  receiveBufferBytes?: number;
  /** Retransmission window and size of the duplicate cache (RFC 5080). */
  duplicateWindowMs?: number;
  duplicateCacheEntries?: number;
}

export interface RadiusServer {
  start(): Promise<{ authPort: number; acctPort: number }>;
  stop(): Promise<void>;
  /**
   * What a socket does with a datagram. Exposed so the hostile-packet property test runs
   * the real handler, not a copy of it; replies go nowhere before start().
   */
  receive(port: PortName, msg: Buffer, rinfo: dgram.RemoteInfo): void;
}

export type PortName = 'auth' | 'acct';

const NOOP_OBSERVER: RadiusObserver = { packet() {} };

/** '::ffff:10.0.0.1' → '10.0.0.1', so NAS entries are written as plain IPv4. */
export function normaliseAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

export function createRadiusServer(opts: RadiusServerOptions): RadiusServer {
  loadDictionaries();
  const host = opts.host ?? '::';
  const logger = opts.logger;
  const decisions = opts.decisionLogger ?? logger;
  const observer = opts.observer ?? NOOP_OBSERVER;
  const drops = new DropLog(logger);
  const cache = new DuplicateCache(opts.duplicateWindowMs ?? 30_000, opts.duplicateCacheEntries ?? 65_536);
  let sockets: Record<PortName, dgram.Socket> | undefined;

  function drop(port: PortName, type: string, source: string, reason: string, detail?: string): void {
    observer.packet(port, type, `dropped:${reason}`);
    drops.drop(source, port, reason, detail);
  }

  // One callback for every send (its error message names the address and port).
  const sent = (err: Error | null) => {
    if (err) logger.warn({ err: err.message }, 'radius reply not sent');
  };

  function send(port: PortName, packet: Buffer, rinfo: dgram.RemoteInfo): void {
    sockets?.[port].send(packet, rinfo.port, rinfo.address, sent);
  }

  /** RFC 5080: a retransmission gets the answer already sent, or nothing while the first is in hand. */
  function retransmission(
    port: PortName,
    type: string,
    p: RawPacket,
    source: string,
    rinfo: dgram.RemoteInfo,
  ): boolean {
    const seen = cache.lookup(source, rinfo.port, p.identifier, p.authenticator);
    if (seen.state === 'answered') {
      observer.packet(port, type, 'retransmission');
      send(port, seen.response, rinfo);
      return true;
    }
    if (seen.state === 'in-progress') {
      drop(port, type, source, 'duplicate-in-progress');
      return true;
    }
    return false;
  }

  // Everything runs synchronously unless the policy needs to wait (a cache miss): then the
  // datagram costs one promise, the decision's.
  function onAuth(p: RawPacket, nas: NasClient, source: string, rinfo: dgram.RemoteInfo, t0: number): void {
    const type = p.code === CODE.StatusServer ? 'Status-Server' : 'Access-Request';
    if (p.maOffset >= 0) {
      if (!verifyRequestMessageAuthenticator(p, nas.secret))
        return drop('auth', type, source, 'bad-message-authenticator', nas.name);
    } else if (nas.requireMessageAuthenticator || p.code === CODE.StatusServer || p.hasEap) {
      // RFC 5997 and RFC 3579 require it on Status-Server and EAP regardless of the NAS setting.
      return drop('auth', type, source, 'missing-message-authenticator', nas.name);
    }
    if (retransmission('auth', type, p, source, rinfo)) return;
    if (p.code === CODE.StatusServer) {
      observer.packet('auth', type, 'alive');
      return send('auth', accessReply(p, CODE.AccessAccept, [], nas.secret), rinfo);
    }
    // Only a value shorter than 4 bytes can fail to decode: decode now to drop such a packet
    // before answering; any other packet's attributes are decoded if policy asks for them.
    let attrs: Record<string, unknown> | undefined;
    if (p.shortValue) {
      attrs = decodeAttributes(p);
      if (!attrs) return drop('auth', type, source, 'malformed', 'attribute values');
    }
    const request = toAccessRequest(nas, p, attrs);
    if ('unusable' in request) {
      if (request.unusable === 'bad-password-length')
        return drop('auth', type, source, 'malformed', 'User-Password length');
      // EAP and other methods are not ours: say no rather than let the NAS retry.
      observer.packet('auth', type, 'reject:unsupported-method');
      logAccess(decisions, nas.name, '', 'reject', t0, 'unsupported-method');
      return send('auth', accessReply(p, CODE.AccessReject, [], nas.secret), rinfo);
    }
    const slot = cache.begin(source, rinfo.port, p.identifier, p.authenticator);
    let decision: AccessDecision | Promise<AccessDecision>;
    try {
      decision = opts.authorizer.authorize(request);
    } catch (err) {
      return undecided(p, nas, slot, err);
    }
    if (decision instanceof Promise) {
      decision
        .then(
          (d) => answer(p, nas, request, slot, rinfo, d, t0),
          (err) => undecided(p, nas, slot, err),
        )
        .catch((err) => failed(err, 'auth'));
    } else answer(p, nas, request, slot, rinfo, decision, t0);
  }

  function answer(
    p: RawPacket,
    nas: NasClient,
    request: AccessRequest,
    slot: Slot,
    rinfo: dgram.RemoteInfo,
    decision: AccessDecision,
    t0: number,
  ): void {
    if (decision.result === 'drop') {
      observer.packet('auth', 'Access-Request', 'drop');
      logger.info({ nas: nas.name, user: request.userName, reason: decision.reason }, 'access-request left unanswered');
      return cache.abort(slot, p.authenticator);
    }
    let reply: Buffer;
    try {
      reply = decisionReply(p, nas, decision);
    } catch (err) {
      return undecided(p, nas, slot, err);
    }
    observer.packet('auth', 'Access-Request', decision.result);
    cache.complete(slot, p.authenticator, reply);
    send('auth', reply, rinfo);
    logAccess(
      decisions,
      nas.name,
      request.userName,
      decision.result,
      t0,
      decision.result === 'reject' ? decision.reason : undefined,
    );
  }

  function undecided(p: RawPacket, nas: NasClient, slot: Slot, err: unknown): void {
    observer.packet('auth', 'Access-Request', 'error');
    logger.error({ err: errorInfo(err), nas: nas.name }, 'authorize failed; no answer sent');
    cache.abort(slot, p.authenticator);
  }

  function onAcct(p: RawPacket, nas: NasClient, source: string, rinfo: dgram.RemoteInfo, t0: number): void {
    const type = p.code === CODE.StatusServer ? 'Status-Server' : 'Accounting-Request';
    if (p.code === CODE.StatusServer) {
      if (!verifyRequestMessageAuthenticator(p, nas.secret))
        return drop('acct', type, source, 'bad-message-authenticator', nas.name);
      observer.packet('acct', type, 'alive');
      return send('acct', accountingResponse(p, nas.secret), rinfo);
    }
    if (!verifyAccountingRequestAuthenticator(p, nas.secret))
      return drop('acct', type, source, 'bad-authenticator', nas.name);
    if (p.maOffset >= 0 && !verifyAccountingMessageAuthenticator(p, nas.secret)) {
      return drop('acct', type, source, 'bad-message-authenticator', nas.name);
    }
    if (retransmission('acct', type, p, source, rinfo)) return;
    const attrs = decodeAttributes(p);
    if (!attrs) return drop('acct', type, source, 'malformed', 'attribute values');
    const record = toAccountingRecord(nas, attrs, new Date());
    const reply = accountingResponse(p, nas.secret);
    if (!record) {
      observer.packet('acct', type, 'ignored');
      logAccounting(decisions, nas.name, undefined, 'ignored', undefined, t0);
      return send('acct', reply, rinfo);
    }
    const slot = cache.begin(source, rinfo.port, p.identifier, p.authenticator);
    store(p, nas, record, reply, slot, rinfo, t0).catch((err) => failed(err, 'acct'));
  }

  /** The Accounting-Response goes out only once the record is stored. */
  async function store(
    p: RawPacket,
    nas: NasClient,
    record: AccountingRecord,
    reply: Buffer,
    slot: Slot,
    rinfo: dgram.RemoteInfo,
    t0: number,
  ): Promise<void> {
    const type = 'Accounting-Request';
    try {
      await opts.authorizer.account(record);
    } catch (err) {
      cache.abort(slot, p.authenticator);
      observer.packet('acct', type, 'error');
      logger.error(
        { err: errorInfo(err), nas: nas.name, status: record.status },
        'accounting not stored; no response sent',
      );
      return;
    }
    observer.packet('acct', type, record.status);
    cache.complete(slot, p.authenticator, reply);
    send('acct', reply, rinfo);
    logAccounting(decisions, nas.name, record.userName, record.status, record.sessionId, t0);
  }

  function onMessage(port: PortName, msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const t0 = performance.now();
    const source = normaliseAddress(rinfo.address);
    const parsed = parsePacket(msg);
    if ('malformed' in parsed) return drop(port, 'unknown', source, 'malformed', parsed.malformed);
    const p = parsed;
    const expected = port === 'auth' ? CODE.AccessRequest : CODE.AccountingRequest;
    if (p.code !== expected && p.code !== CODE.StatusServer)
      return drop(port, 'unknown', source, 'unexpected-code', String(p.code));
    const found = opts.clients.findBySource(source);
    if (found instanceof Promise)
      found.then((nas) => dispatch(port, p, nas, source, rinfo, t0)).catch((err) => failed(err, port));
    else dispatch(port, p, found, source, rinfo, t0);
  }

  function dispatch(
    port: PortName,
    p: RawPacket,
    nas: NasClient | undefined,
    source: string,
    rinfo: dgram.RemoteInfo,
    t0: number,
  ): void {
    if (!nas) return drop(port, 'unknown', source, 'unknown-client');
    if (port === 'auth') return onAuth(p, nas, source, rinfo, t0);
    return onAcct(p, nas, source, rinfo, t0);
  }

  function failed(err: unknown, port: PortName): void {
    logger.error({ err: errorInfo(err), port }, 'radius packet handler failed');
  }

  function receive(port: PortName, msg: Buffer, rinfo: dgram.RemoteInfo): void {
    try {
      onMessage(port, msg, rinfo);
    } catch (err) {
      failed(err, port);
    }
  }

  function listen(port: PortName, wanted: number): Promise<dgram.Socket> {
    const v6 = host.includes(':');
    const socket = dgram.createSocket(
      v6 ? { type: 'udp6', ipv6Only: false, lookup: literalFirst } : { type: 'udp4', lookup: literalFirst },
    );
    socket.on('message', (msg, rinfo) => receive(port, msg, rinfo));
    return new Promise((resolve, reject) => {
      socket.once('error', (err) =>
        reject(new RadiusError('socket', `cannot listen on ${host}:${wanted} (${port}): ${err.message}`)),
      );
      socket.bind(wanted, host, () => {
        socket.removeAllListeners('error');
        socket.on('error', (err) => logger.error({ err: err.message, port }, 'radius socket error'));
        if (opts.receiveBufferBytes) {
          try {
            socket.setRecvBufferSize(opts.receiveBufferBytes);
          } catch (err) {
            logger.warn({ err: (err as Error).message }, 'receive buffer size not applied');
          }
        }
        resolve(socket);
      });
    });
  }

  return {
    receive,
    async start() {
      if (sockets) throw new RadiusError('socket', 'radius server already started');
      const auth = await listen('auth', opts.authPort);
      let acct: dgram.Socket;
      try {
        acct = await listen('acct', opts.acctPort);
      } catch (err) {
        auth.close();
        throw err;
      }
      sockets = { auth, acct };
      const ports = { authPort: (auth.address() as AddressInfo).port, acctPort: (acct.address() as AddressInfo).port };
      logger.info({ host, ...ports }, 'radius listening');
      return ports;
    },
    async stop() {
      const s = sockets;
      sockets = undefined;
      if (!s) return;
      await Promise.all([s.auth, s.acct].map((sock) => new Promise<void>((resolve) => sock.close(() => resolve()))));
    },
  };
}

/**
 * Every reply goes to the address its request came from, an IP literal: answered at once,
 * where dns.lookup() validates its arguments and calls back on the next tick, an object
 * and a tick per packet (issue 18). A host name (RADIUS_HOST for bind) still goes to DNS.
 */
function literalFirst(
  address: string,
  options: LookupOneOptions | number, // dgram passes the family, 4 or 6 (Node 20)
  callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  const family = typeof options === 'number' ? options : (options.family as number);
  if (isIP(address)) return callback(null, address, family);
  lookup(address, { family }, callback);
}

function errorInfo(err: unknown): object {
  if (err instanceof Error) return { message: err.message, code: (err as { code?: unknown }).code };
  return { message: String(err) };
}
