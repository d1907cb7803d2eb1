// An SMSC over SMPP 3.4 (the `smpp` package): one long-lived bind (transmitter, or
// transceiver to also receive inbound SMS and delivery receipts), enquire_link keepalive,
// a dropped bind re-established with backoff. A message counts as sent only when every
// part got a submit_sm_resp with ESME_ROK.
import { createHash, randomInt } from 'node:crypto';
import smpp, { type Pdu, type Session } from 'smpp';
import type { Logger } from '../log.ts';
import { maskNumber } from '../log.ts';
import { SmsError, type OutboundSms, type SendOptions, type SendResult, type SmsGateway } from './gateway.ts';
import { concatUdh, splitSms } from './encoding.ts';
import { isDeliveryReceipt, readReceipt, type SmppReceipt } from './smpp-receipt.ts';
import type { InboundSms } from './inbound.ts';

export interface SmppOptions {
  /** smpp://system_id:password@host:port */
  url: string;
  systemType: string;
  from: string;
  bind: 'transmitter' | 'transceiver';
  enquireLinkMs: number;
  timeoutMs: number;
  permanentErrors: Set<number>;
  log: Logger;
  /** First and longest wait between reconnection attempts. */
  reconnectMs?: { min: number; max: number };
  onInbound?: (msg: InboundSms) => Promise<void>;
  onReceipt?: (receipt: SmppReceipt) => Promise<void>;
  now?: () => number;
}

// Worth retrying: the SMSC is busy or briefly broken, not refusing the message.
const TRANSIENT_STATUS = new Set([
  0x08, // ESME_RSYSERR
  0x14, // ESME_RMSGQFUL
  0x58, // ESME_RTHROTTLED
  0x64, // ESME_RX_T_APPN
  0xfe, // ESME_RDELIVERYFAILURE
]);
const ESME_RX_T_APPN = 0x64;

export class SmppGateway implements SmsGateway {
  readonly name = 'smpp';
  private session?: Session;
  private bound = false;
  private closed = false;
  private retryMs: number;
  private reconnectTimer?: NodeJS.Timeout;
  private waiters = new Set<() => void>();
  private pending = new Map<number, (err: SmsError) => void>();
  private readonly account: { system_id: string; password: string; host: string };

  constructor(private readonly o: SmppOptions) {
    const u = new URL(o.url);
    this.account = {
      system_id: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
      host: `${u.protocol}//${u.host}`,
    };
    this.retryMs = o.reconnectMs?.min ?? 500;
  }

  /** Connects and binds; resolves at once (sends wait for the bind, up to their time-out). */
  start(): this {
    if (!this.session && !this.closed) this.connect();
    return this;
  }

  get isBound(): boolean {
    return this.bound;
  }

  private connect(): void {
    const session = smpp.connect({ url: this.account.host, auto_enquire_link_period: this.o.enquireLinkMs });
    this.session = session;
    session.on('connect', () => {
      const bindParams = {
        system_id: this.account.system_id,
        password: this.account.password,
        system_type: this.o.systemType,
        interface_version: 0x34,
      };
      const onBind = (pdu: Pdu) => {
        if (pdu.command_status !== 0) {
          this.o.log.error({ status: pdu.command_status, host: this.account.host }, 'smpp bind refused');
          session.close();
          return;
        }
        this.bound = true;
        this.retryMs = this.o.reconnectMs?.min ?? 500;
        this.o.log.info({ host: this.account.host, bind: this.o.bind }, 'smpp bound');
        for (const w of this.waiters) w();
      };
      if (this.o.bind === 'transceiver') session.bind_transceiver(bindParams, onBind);
      else session.bind_transmitter(bindParams, onBind);
    });
    session.on('error', (err: Error) =>
      this.o.log.warn({ err: err.message, host: this.account.host }, 'smpp connection error'),
    );
    session.on('close', () => {
      if (this.session !== session) return;
      this.bound = false;
      this.session = undefined;
      for (const fail of this.pending.values())
        fail(new SmsError('sms_failed', 'The SMSC connection dropped before it answered.', true));
      this.pending.clear();
      if (!this.closed) this.scheduleReconnect();
    });
    session.on('enquire_link', (pdu: Pdu) => session.send(pdu.response()));
    session.on('unbind', (pdu: Pdu) => {
      session.send(pdu.response());
      session.close();
    });
    session.on('deliver_sm', (pdu: Pdu) => void this.onDeliver(session, pdu));
  }

  private scheduleReconnect(): void {
    const wait = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, this.o.reconnectMs?.max ?? 30_000);
    this.o.log.warn({ host: this.account.host, retryInMs: wait }, 'smpp bind lost; reconnecting');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.closed) this.connect();
    }, wait);
  }

  private waitBound(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.bound) return Promise.resolve();
    this.start();
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const fail = () => {
        this.waiters.delete(done);
        signal?.removeEventListener('abort', onAbort);
        reject(new SmsError('sms_failed', `Not bound to the SMSC at ${this.account.host} (still connecting).`, true));
      };
      const onAbort = () => {
        clearTimeout(timer);
        fail();
      };
      const timer = setTimeout(fail, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(done);
    });
  }

  async send(msg: OutboundSms, opts: SendOptions = {}): Promise<SendResult> {
    const timeoutMs = opts.timeoutMs ?? this.o.timeoutMs;
    await this.waitBound(timeoutMs, opts.signal);
    const { dataCoding, parts } = splitSms(msg.text);
    const ref = randomInt(0, 256);
    const ids: string[] = [];
    for (let i = 0; i < parts.length; i++) {
      const multi = parts.length > 1;
      const resp = await this.submit(
        {
          service_type: '',
          ...sourceAddress(this.o.from),
          dest_addr_ton: 1,
          dest_addr_npi: 1,
          destination_addr: msg.to.replace(/^\+/, ''),
          esm_class: multi ? 0x40 : 0x00,
          data_coding: dataCoding,
          registered_delivery: this.o.bind === 'transceiver' ? 0x01 : 0x00,
          short_message: multi ? Buffer.concat([concatUdh(ref, parts.length, i + 1), parts[i]]) : parts[i],
        },
        opts.signal,
      );
      if (resp.command_status !== 0) {
        const transient = TRANSIENT_STATUS.has(resp.command_status);
        throw new SmsError(
          transient ? 'sms_failed' : 'sms_rejected',
          `The SMSC refused part ${i + 1} of ${parts.length}: command_status 0x${resp.command_status.toString(16)}`,
          transient,
        );
      }
      ids.push(String(resp.message_id ?? ''));
    }
    return { ref: ids[0], parts: parts.length };
  }

  private submit(params: Record<string, unknown>, signal?: AbortSignal): Promise<Pdu> {
    const session = this.session;
    if (!session || !this.bound) return Promise.reject(new SmsError('sms_failed', 'Not bound to the SMSC.', true));
    return new Promise((resolve, reject) => {
      const pdu = new smpp.PDU('submit_sm', params);
      const onAbort = () => {
        this.pending.delete(pdu.sequence_number);
        reject(new SmsError('sms_timeout', 'The SMSC did not answer submit_sm in time.', true));
      };
      const written = session.send(pdu, (resp) => {
        this.pending.delete(pdu.sequence_number);
        signal?.removeEventListener('abort', onAbort);
        resolve(resp);
      });
      if (!written) {
        reject(new SmsError('sms_failed', 'The SMSC connection is not writable.', true));
        return;
      }
      this.pending.set(pdu.sequence_number, (err) => {
        signal?.removeEventListener('abort', onAbort);
        reject(err);
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  // Answer deliver_sm only once the message is stored: an SMSC that gets a temporary
  // error (or nothing) delivers it again.
  private async onDeliver(session: Session, pdu: Pdu): Promise<void> {
    try {
      const text = messageText(pdu);
      if (isDeliveryReceipt(pdu.esm_class ?? 0)) {
        const tlvs = {
          receipted_message_id: pdu.receipted_message_id,
          message_state: pdu.message_state,
          network_error_code: pdu.network_error_code,
        };
        const receipt = readReceipt(tlvs, text, this.o.permanentErrors);
        if (receipt) await this.o.onReceipt?.(receipt);
      } else {
        const from = address(pdu.source_addr, pdu.source_addr_ton);
        const to = address(pdu.destination_addr, pdu.dest_addr_ton);
        const receivedAt = (this.o.now ?? Date.now)();
        // deliver_sm carries no message id; a redelivery of the same text within ten
        // minutes is the same message.
        const ref = createHash('sha256')
          .update(`${from}\n${to}\n${text}\n${Math.floor(receivedAt / 600_000)}`)
          .digest('hex')
          .slice(0, 32);
        await this.o.onInbound?.({ from, to, text, gateway: this.name, ref, receivedAt });
      }
      session.send(pdu.response());
    } catch (err) {
      this.o.log.error(
        { err: (err as Error).message, from: maskNumber(address(pdu.source_addr, pdu.source_addr_ton)) },
        'smpp deliver_sm not stored; asking the SMSC to retry',
      );
      session.send(pdu.response({ command_status: ESME_RX_T_APPN }));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    const session = this.session;
    if (!session) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => session.destroy(), 1000);
      session.socket.once('close', () => {
        clearTimeout(force);
        resolve();
      });
      if (this.bound) session.unbind(() => session.close());
      else session.close();
    });
  }
}

/** TON/NPI by the look of the sender: alphanumeric, international (+…) or a short code. */
export function sourceAddress(from: string): { source_addr_ton: number; source_addr_npi: number; source_addr: string } {
  if (/^\+\d+$/.test(from)) return { source_addr_ton: 1, source_addr_npi: 1, source_addr: from.slice(1) };
  if (/^\d{3,8}$/.test(from)) return { source_addr_ton: 3, source_addr_npi: 0, source_addr: from };
  if (/^\d+$/.test(from)) return { source_addr_ton: 1, source_addr_npi: 1, source_addr: from };
  return { source_addr_ton: 5, source_addr_npi: 0, source_addr: from };
}

/** International numbers (TON 1, or long digit strings) as E.164; anything else as given. */
function address(addr: string | undefined, ton: number | undefined): string {
  const a = (addr ?? '').trim();
  if (/^\+\d+$/.test(a)) return a;
  if (/^\d{8,15}$/.test(a) && (ton === 1 || ton === 0 || ton === undefined)) return `+${a}`;
  return a;
}

/** The decoded text of short_message or message_payload (the package decodes by data_coding). */
function messageText(pdu: Pdu): string {
  const field =
    pdu.short_message?.message !== undefined && pdu.short_message.message.length
      ? pdu.short_message
      : pdu.message_payload;
  const m = field?.message ?? field;
  if (typeof m === 'string') return m;
  if (Buffer.isBuffer(m)) return m.toString('latin1');
  return '';
}
