// Machine-to-machine SMS endpoints: inbound messages and delivery receipts from the http
// gateway (shared token) and from Twilio (X-Twilio-Signature). No CSRF: no browser posts
// here; the app's body size limits apply.
import Router from '@koa/router';
import type { Context } from 'koa';
import type { AppContext } from '../context.ts';
import { FoyerError, badInput } from '../errors.ts';
import { safeEqual } from '../crypto/keys.ts';
import type { SmsService } from '../sms/index.ts';
import { checkTwilioSignature, type FormParams } from '../sms/twilio-signature.ts';
import { applyReceipt, httpReceiptStatus, twilioReceiptStatus } from '../sms/receipts.ts';
import { randomUUID } from 'node:crypto';

type SmsRouteDeps = Pick<AppContext, 'config' | 'log' | 'now'> & { sms: SmsService };

export function smsRoutes(deps: SmsRouteDeps): Router {
  const router = new Router({ prefix: '/sms' });
  const c = deps.config;

  router.post('/inbound/http', async (ctx) => {
    requireToken(ctx, deps);
    const body = bodyOf(ctx);
    const f = c.SMS_INBOUND_FIELDS;
    const from = e164(field(body, f.from));
    const text = field(body, f.text);
    if (!from)
      throw badInput(
        'sms_inbound_invalid',
        `The "${f.from}" field must be the sender's number in international format (+359…).`,
      );
    if (text === undefined)
      throw badInput('sms_inbound_invalid', `The "${f.text}" field (the message text) is missing.`);
    const ref = field(body, f.id) || randomUUID();
    const res = await deps.sms.inbound.receive(
      { from, to: field(body, f.to) ?? '', text, gateway: 'http', ref, receivedAt: deps.now() },
      'gateway',
    );
    ctx.body = { ok: true, duplicate: res.duplicate };
  });

  router.post('/status/http', async (ctx) => {
    requireToken(ctx, deps);
    const body = bodyOf(ctx);
    const f = c.SMS_STATUS_FIELDS;
    const ref = field(body, f.ref);
    if (!ref) throw badInput('sms_status_invalid', `The "${f.ref}" field (the message id) is missing.`);
    const status = httpReceiptStatus(field(body, f.status));
    const matched = status
      ? await applyReceipt(deps.sms.messages, deps.log, {
          gateway: 'http',
          ref,
          status,
          errorCode: field(body, f.error),
        })
      : false;
    ctx.body = { ok: true, matched };
  });

  router.post('/inbound/twilio', async (ctx) => {
    const params = twilioParams(ctx, deps);
    const from = e164(params.From);
    const ref = params.MessageSid || params.SmsSid;
    if (!from || !ref)
      throw badInput('sms_inbound_invalid', 'A Twilio message webhook needs From (E.164) and MessageSid.');
    const res = await deps.sms.inbound.receive(
      { from, to: params.To ?? '', text: params.Body ?? '', gateway: 'twilio', ref, receivedAt: deps.now() },
      'caller',
    );
    ctx.type = 'text/xml';
    ctx.body = res.reply
      ? `<?xml version="1.0" encoding="UTF-8"?><Response><Message>${xmlEscape(res.reply)}</Message></Response>`
      : '<?xml version="1.0" encoding="UTF-8"?><Response/>';
  });

  router.post('/status/twilio', async (ctx) => {
    const params = twilioParams(ctx, deps);
    const ref = params.MessageSid || params.SmsSid;
    if (!ref) throw badInput('sms_status_invalid', 'A Twilio status callback needs MessageSid.');
    const status = twilioReceiptStatus(params.MessageStatus ?? params.SmsStatus, params.ErrorCode);
    if (status)
      await applyReceipt(deps.sms.messages, deps.log, { gateway: 'twilio', ref, status, errorCode: params.ErrorCode });
    ctx.status = 204;
  });

  return router;
}

function bodyOf(ctx: Context): Record<string, unknown> {
  const b = (ctx.request as { body?: unknown }).body;
  return b && typeof b === 'object' && !Array.isArray(b) ? (b as Record<string, unknown>) : {};
}

function field(body: Record<string, unknown>, name: string): string | undefined {
  const v = body[name];
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

/** +359881234567, 359881234567 or 00359881234567 as E.164; undefined when it is no number. */
export function e164(raw: string | undefined): string | undefined {
  const s = (raw ?? '').replace(/[\s\-().]/g, '');
  const digits = s.startsWith('+') ? s.slice(1) : s.startsWith('00') ? s.slice(2) : s;
  return /^[1-9]\d{6,14}$/.test(digits) ? `+${digits}` : undefined;
}

// The http gateway's callbacks exist only when it is the gateway in use, and always need
// SMS_INBOUND_TOKEN, whatever NODE_ENV: without it anyone could post a STOP in a guest's
// name (withdrawing their consent on the ledger), a HELP that Foyer answers, or a fake receipt.
function requireToken(ctx: Context, deps: SmsRouteDeps): void {
  if (deps.config.SMS_GATEWAY !== 'http')
    throw new FoyerError(
      'sms_http_not_configured',
      404,
      'The http gateway callbacks exist only with SMS_GATEWAY=http.',
    );
  const token = deps.config.SMS_INBOUND_TOKEN;
  if (!token)
    throw new FoyerError('sms_token_missing', 403, 'Set SMS_INBOUND_TOKEN to accept callbacks from the SMS gateway.');
  const auth = ctx.get('authorization');
  const given = auth.startsWith('Bearer ') ? auth.slice(7) : typeof ctx.query.token === 'string' ? ctx.query.token : '';
  if (!given || !safeEqual(given, token))
    throw new FoyerError('sms_token_invalid', 403, 'The SMS gateway callback token is missing or wrong.');
}

// Twilio signs the URL it called: PUBLIC_URL's origin when set (behind a proxy the host we
// see may differ), else the request's own.
function twilioParams(ctx: Context, deps: SmsRouteDeps): Record<string, string | undefined> {
  const token = deps.config.TWILIO_AUTH_TOKEN;
  if (!token) throw new FoyerError('sms_twilio_not_configured', 404, 'Twilio webhooks need TWILIO_AUTH_TOKEN.');
  const params = bodyOf(ctx) as FormParams;
  const urls = [ctx.href];
  if (deps.config.PUBLIC_URL) urls.unshift(deps.config.PUBLIC_URL.replace(/\/$/, '') + ctx.originalUrl);
  if (!checkTwilioSignature(token, ctx.get('x-twilio-signature') || undefined, urls, params)) {
    throw new FoyerError('sms_signature_invalid', 403, 'The X-Twilio-Signature header does not match this request.');
  }
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(params)) out[k] = Array.isArray(v) ? v[0] : v;
  return out;
}

const xmlEscape = (s: string) =>
  s.replace(
    /[<>&'"]/g,
    (ch) => `&${({ '<': 'lt', '>': 'gt', '&': 'amp', "'": 'apos', '"': 'quot' } as Record<string, string>)[ch]};`,
  );
