// A Foyer RADIUS server on loopback with an in-memory directory and authorizer,
// and a bare UDP peer, for the tests in test/radius/.
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createRadiusServer, type RadiusServerOptions } from '../../radius/server.ts';
import type {
  AccessDecision,
  AccessRequest,
  AccountingRecord,
  Authorizer,
  Logger,
  NasClient,
  RadiusObserver,
} from '../../radius/types.ts';

export const SECRET = 'testing123';

export function nas(over: Partial<NasClient> = {}): NasClient {
  return {
    id: 'nas-1',
    name: 'test-nas',
    secret: Buffer.from(SECRET),
    replyProfile: 'wispr',
    venueId: 'venue-1',
    requireMessageAuthenticator: true,
    coaPort: 3799,
    ...over,
  };
}

export interface LogLine {
  level: string;
  obj: object;
  msg?: string;
}

export function memoryLogger(lines: LogLine[] = []): Logger & { lines: LogLine[] } {
  const at = (level: string) => (obj: object, msg?: string) => void lines.push({ level, obj, msg });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export interface Harness {
  authPort: number;
  acctPort: number;
  host: string;
  authorized: AccessRequest[];
  accounted: AccountingRecord[];
  observed: Array<[string, string, string]>;
  logger: ReturnType<typeof memoryLogger>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  clients?: Record<string, NasClient>;
  /** Decides from the request; default: accept user "alice" with password "secretpw". */
  decide?: (r: AccessRequest) => AccessDecision | Promise<AccessDecision>;
  account?: (r: AccountingRecord) => Promise<void>;
  host?: string;
  extra?: Partial<RadiusServerOptions>;
}

export const PASSWORD = 'secretpw';

export async function startHarness(o: HarnessOptions = {}): Promise<Harness> {
  const clients = o.clients ?? { '127.0.0.1': nas(), '::1': nas() };
  const authorized: AccessRequest[] = [];
  const accounted: AccountingRecord[] = [];
  const observed: Array<[string, string, string]> = [];
  const logger = memoryLogger();
  const decide =
    o.decide ??
    ((r: AccessRequest): AccessDecision =>
      r.checkPassword(PASSWORD)
        ? { result: 'accept', sessionTimeout: 3600 }
        : { result: 'reject', replyMessage: 'Wrong code' });
  const authorizer: Authorizer = {
    async authorize(r) {
      authorized.push(r);
      return decide(r);
    },
    async account(r) {
      if (o.account) await o.account(r);
      accounted.push(r);
    },
  };
  const observer: RadiusObserver = { packet: (port, type, result) => void observed.push([port, type, result]) };
  const host = o.host ?? '127.0.0.1';
  const server = createRadiusServer({
    clients: { findBySource: (a) => clients[a] },
    authorizer,
    authPort: 0,
    acctPort: 0,
    host,
    logger,
    observer,
    ...o.extra,
  });
  const ports = await server.start();
  return { ...ports, host, authorized, accounted, observed, logger, stop: () => server.stop() };
}

/** Sends one datagram and resolves with the first answer, or undefined after `timeoutMs`. */
export function exchange(
  packet: Buffer,
  port: number,
  host = '127.0.0.1',
  timeoutMs = 400,
): Promise<Buffer | undefined> {
  const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.close();
      resolve(undefined);
    }, timeoutMs);
    socket.on('message', (m) => {
      clearTimeout(timer);
      socket.close();
      resolve(m);
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      socket.close();
      reject(e);
    });
    socket.send(packet, port, host);
  });
}

/** A bound socket that can send several packets from the same source port (retransmissions). */
export async function peer(host = '127.0.0.1'): Promise<{
  send(p: Buffer, port: number): void;
  next(timeoutMs?: number): Promise<Buffer | undefined>;
  close(): void;
}> {
  const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const inbox: Buffer[] = [];
  const waiters: Array<(b: Buffer) => void> = [];
  socket.on('message', (m) => {
    const w = waiters.shift();
    if (w) w(m);
    else inbox.push(m);
  });
  await new Promise<void>((r) => socket.bind(0, host, () => r()));
  return {
    send: (p, port) => socket.send(p, port, host),
    next: (timeoutMs = 400) =>
      new Promise((resolve) => {
        const queued = inbox.shift();
        if (queued) return resolve(queued);
        const timer = setTimeout(() => {
          const i = waiters.indexOf(done);
          if (i >= 0) waiters.splice(i, 1);
          resolve(undefined);
        }, timeoutMs);
        const done = (b: Buffer) => {
          clearTimeout(timer);
          resolve(b);
        };
        waiters.push(done);
      }),
    close: () => socket.close(),
  };
}

/** Reads test/radius/captures/NAME.hex (comment lines start with #). */
export function capture(name: string): Buffer {
  const text = readFileSync(new URL(`../radius/captures/${name}.hex`, import.meta.url), 'utf8');
  return Buffer.from(
    text
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .join('')
      .trim(),
    'hex',
  );
}
