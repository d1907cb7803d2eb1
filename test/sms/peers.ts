// The far ends the SMS gateways talk to, run locally by the tests: an HTTP server that
// records requests and answers as told, and a real SMPP server (the `smpp` package's).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import smpp, { type Pdu, type Session } from 'smpp';
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../portal/log.ts';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface Answer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  delayMs?: number;
}

export interface HttpPeer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function httpPeer(answer: (req: RecordedRequest, n: number) => Answer): Promise<HttpPeer> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const rec = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(rec);
      const a = answer(rec, requests.length);
      const reply = () => {
        if (res.destroyed) return;
        res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
        res.end(a.body ?? '');
      };
      if (a.delayMs) setTimeout(reply, a.delayMs);
      else reply();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export interface SmppPeer {
  port: number;
  url: string;
  binds: Pdu[];
  submits: Pdu[];
  enquireLinks: number;
  sessions: Session[];
  /** The command_status to answer the nth submit_sm (1-based) with; 0 = ESME_ROK. */
  submitStatus: (n: number) => number;
  /** Resolves with the deliver_sm_resp. */
  deliver(params: Record<string, unknown>): Promise<Pdu>;
  /** Drops every client connection, as a crashed SMSC or a broken network would. */
  dropAll(): void;
  waitFor(pred: () => boolean, ms?: number): Promise<void>;
  close(): Promise<void>;
}

export async function smppPeer(opts: { systemId: string; password: string }): Promise<SmppPeer> {
  const peer = {
    binds: [] as Pdu[],
    submits: [] as Pdu[],
    enquireLinks: 0,
    sessions: [] as Session[],
    submitStatus: (_n: number) => 0,
  } as SmppPeer;
  let messageId = 0x1000;
  const server = smpp.createServer((session) => {
    peer.sessions.push(session);
    session.on('error', () => undefined);
    session.on('close', () => {
      peer.sessions = peer.sessions.filter((s) => s !== session);
    });
    for (const bind of ['bind_transmitter', 'bind_transceiver', 'bind_receiver']) {
      session.on(bind, (pdu: Pdu) => {
        peer.binds.push(pdu);
        const ok = pdu.system_id === opts.systemId && pdu.password === opts.password;
        session.send(pdu.response(ok ? { system_id: 'test-smsc' } : { command_status: smpp.ESME_RBINDFAIL }));
      });
    }
    session.on('submit_sm', (pdu: Pdu) => {
      peer.submits.push(pdu);
      const status = peer.submitStatus(peer.submits.length);
      session.send(pdu.response(status ? { command_status: status } : { message_id: (messageId++).toString(16) }));
    });
    session.on('enquire_link', (pdu: Pdu) => {
      peer.enquireLinks++;
      session.send(pdu.response());
    });
    session.on('unbind', (pdu: Pdu) => {
      session.send(pdu.response());
      session.close();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  peer.port = port;
  peer.url = `smpp://${opts.systemId}:${opts.password}@127.0.0.1:${port}`;
  peer.deliver = (params) =>
    new Promise((resolve, reject) => {
      const s = peer.sessions[peer.sessions.length - 1];
      if (!s) return reject(new Error('no client session'));
      s.deliver_sm(params, resolve);
    });
  peer.dropAll = () => {
    for (const s of peer.sessions) s.destroy();
  };
  peer.waitFor = async (pred, ms = 5000) => {
    const until = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > until) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  peer.close = () =>
    new Promise((r) => {
      peer.dropAll();
      server.close(() => r());
    });
  return peer;
}

/** A logger whose lines the test can read. */
export function capturedLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const dest = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  return { log: createLogger('debug', dest as unknown as Parameters<typeof createLogger>[1]), lines };
}
