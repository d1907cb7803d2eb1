// A local aggregator's HTTP API, described by configuration: method, URL, headers, a body
// template with {{to}} {{text}} {{from}}, which statuses (and optionally which body) mean
// "accepted", and where the message id is.
import { randomUUID } from 'node:crypto';
import { SmsError, type OutboundSms, type SendOptions, type SendResult, type SmsGateway } from './gateway.ts';
import { smsPartCount } from './encoding.ts';
import { escaperFor, fill } from './body-escape.ts';

export interface HttpGatewayOptions {
  url: string;
  method: 'GET' | 'POST' | 'PUT';
  headers: Record<string, string>;
  body?: string;
  from?: string;
  /** Inclusive [low, high] status ranges that mean accepted. */
  success: [number, number][];
  successMatch?: string;
  /** JSON path (a.b.0.c) or /regex with a (group)/. */
  idAt?: string;
  timeoutMs: number;
}

export class HttpGateway implements SmsGateway {
  readonly name = 'http';

  constructor(private readonly o: HttpGatewayOptions) {}

  async send(msg: OutboundSms, opts: SendOptions = {}): Promise<SendResult> {
    const values = { to: msg.to, text: msg.text, from: this.o.from ?? '' };
    const contentType = Object.entries(this.o.headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
    const url = fill(this.o.url, values, encodeURIComponent);
    const body =
      this.o.method === 'GET' || this.o.body === undefined
        ? undefined
        : fill(this.o.body, values, this.escapeBody(contentType));
    const signals = [AbortSignal.timeout(opts.timeoutMs ?? this.o.timeoutMs)];
    if (opts.signal) signals.push(opts.signal);
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        method: this.o.method,
        headers: this.o.headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.any(signals),
      });
      text = await res.text();
    } catch (err) {
      const e = err as Error;
      if (e.name === 'TimeoutError' || e.name === 'AbortError')
        throw new SmsError('sms_timeout', `The SMS gateway at ${origin(url)} did not answer in time.`, true);
      throw new SmsError('sms_failed', `The SMS gateway at ${origin(url)} could not be reached: ${causeOf(e)}`, true);
    }
    const ok = this.o.success.some(([lo, hi]) => res.status >= lo && res.status <= hi);
    if (!ok) {
      const transient = res.status === 408 || res.status === 429 || res.status >= 500;
      throw new SmsError(
        transient ? 'sms_failed' : 'sms_rejected',
        `The SMS gateway answered ${res.status}: ${text.slice(0, 200)}`,
        transient,
      );
    }
    if (this.o.successMatch && !new RegExp(this.o.successMatch).test(text)) {
      throw new SmsError(
        'sms_rejected',
        `The SMS gateway's answer does not match SMS_HTTP_SUCCESS_MATCH: ${text.slice(0, 200)}`,
        false,
      );
    }
    return {
      ref: (this.o.idAt && extractId(text, this.o.idAt)) || `http-${randomUUID()}`,
      parts: smsPartCount(msg.text),
    };
  }

  // The configuration check refuses such a type at start-up; here it stays a refusal, never a raw value.
  private escapeBody(contentType: string) {
    const escape = escaperFor(contentType);
    if (!escape)
      throw new SmsError('sms_rejected', `SMS_HTTP_BODY cannot be filled for Content-Type ${contentType}.`, false);
    return escape;
  }
}

export function extractId(body: string, at: string): string | undefined {
  if (at.length > 2 && at.startsWith('/') && at.endsWith('/')) {
    const m = new RegExp(at.slice(1, -1)).exec(body);
    return m?.[1] ?? undefined;
  }
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return undefined;
  }
  for (const key of at.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
}

const origin = (url: string) => {
  try {
    return new URL(url).origin;
  } catch {
    return 'the configured URL';
  }
};

const causeOf = (e: Error) => (e.cause as Error | undefined)?.message ?? e.message;
