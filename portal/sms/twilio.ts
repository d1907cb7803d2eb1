// Twilio's Messages API over plain HTTP (no SDK): POST
// {base}/2010-04-01/Accounts/{sid}/Messages.json, form-encoded, Basic auth sid:token.
// 201 with the message's JSON ("sid") is accepted; any other answer carries Twilio's
// error JSON {code, message, more_info, status}. 429 and 5xx are worth retrying.
import { SmsError, type OutboundSms, type SendOptions, type SendResult, type SmsGateway } from './gateway.ts';
import { smsPartCount } from './encoding.ts';

export interface TwilioOptions {
  accountSid: string;
  authToken: string;
  from?: string;
  messagingServiceSid?: string;
  apiBase: string;
  /** Where Twilio posts delivery status (PUBLIC_URL + /sms/status/twilio), when Foyer has a public URL. */
  statusCallback?: string;
  timeoutMs: number;
}

export interface TwilioErrorBody {
  code?: number;
  message?: string;
  more_info?: string;
  status?: number;
}

export class TwilioGateway implements SmsGateway {
  readonly name = 'twilio';

  constructor(private readonly o: TwilioOptions) {}

  async send(msg: OutboundSms, opts: SendOptions = {}): Promise<SendResult> {
    const form = new URLSearchParams({ To: msg.to, Body: msg.text });
    if (this.o.messagingServiceSid) form.set('MessagingServiceSid', this.o.messagingServiceSid);
    else if (this.o.from) form.set('From', this.o.from);
    if (this.o.statusCallback) form.set('StatusCallback', this.o.statusCallback);
    const url = `${this.o.apiBase}/2010-04-01/Accounts/${encodeURIComponent(this.o.accountSid)}/Messages.json`;
    const signals = [AbortSignal.timeout(opts.timeoutMs ?? this.o.timeoutMs)];
    if (opts.signal) signals.push(opts.signal);
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${this.o.accountSid}:${this.o.authToken}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: form.toString(),
        signal: AbortSignal.any(signals),
      });
      text = await res.text();
    } catch (err) {
      const e = err as Error;
      if (e.name === 'TimeoutError' || e.name === 'AbortError')
        throw new SmsError('sms_timeout', 'Twilio did not answer in time.', true);
      throw new SmsError(
        'sms_failed',
        `Twilio could not be reached: ${(e.cause as Error | undefined)?.message ?? e.message}`,
        true,
      );
    }
    const body = parse(text);
    if (res.status === 201 || res.status === 200) {
      const sid = typeof body?.sid === 'string' ? body.sid : undefined;
      if (!sid) throw new SmsError('sms_failed', `Twilio answered ${res.status} without a message sid.`, true);
      const segments = Number(body?.num_segments);
      return { ref: sid, parts: segments > 0 ? segments : smsPartCount(msg.text) };
    }
    const e = (body ?? {}) as TwilioErrorBody;
    const transient = res.status === 429 || res.status >= 500;
    const detail = e.code
      ? `Twilio error ${e.code}: ${e.message ?? ''}${e.more_info ? ` (${e.more_info})` : ''}`
      : `Twilio answered ${res.status}`;
    throw new SmsError(transient ? 'sms_failed' : 'sms_rejected', detail, transient);
  }
}

function parse(text: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Twilio status callback error codes that mean the number itself is dead: unknown
 * destination (30003 unreachable handset, 30005 unknown or inactive, 30006 landline or
 * unreachable carrier).
 */
export const TWILIO_PERMANENT_ERRORS = new Set(['30003', '30005', '30006']);
