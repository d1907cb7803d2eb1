// The SMS gateways' environment variables, spread into portal/config.ts's schema, and the
// cross-field check: the chosen SMS_GATEWAY must have every variable it needs.
import { z } from 'zod';
import { bodyTemplateProblem } from './body-escape.ts';

const json = <T extends z.ZodType>(inner: T, hint: string) =>
  z.string().transform((s, ctx): z.infer<T> => {
    let v: unknown;
    try {
      v = JSON.parse(s);
    } catch {
      ctx.addIssue({ code: 'custom', message: `must be JSON, ${hint}` });
      return z.NEVER;
    }
    const r = inner.safeParse(v);
    if (!r.success) {
      ctx.addIssue({ code: 'custom', message: hint });
      return z.NEVER;
    }
    return r.data as z.infer<T>;
  });

/** "200-299" or "200,201,202" (ranges and codes, comma-separated). */
const statusRanges = z
  .string()
  .regex(
    /^\s*\d{3}(\s*-\s*\d{3})?(\s*,\s*\d{3}(\s*-\s*\d{3})?)*\s*$/,
    'must be status codes or ranges, e.g. 200-299 or 200,202',
  )
  .transform((s) =>
    s.split(',').map((p) => {
      const [a, b] = p.split('-').map((x) => Number(x.trim()));
      return [a, b ?? a] as [number, number];
    }),
  );

const regex = z.string().refine((s) => {
  try {
    new RegExp(s);
    return true;
  } catch {
    return false;
  }
}, 'must be a valid regular expression');

/** "from=msisdn,to=shortcode,text=message,id=messageId": our name = the gateway's field name. */
const fieldMap = <K extends string>(keys: readonly K[], defaults: Record<K, string>) =>
  z.string().transform((s, ctx) => {
    const out = { ...defaults };
    for (const pair of s
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const [k, v] = pair.split('=').map((x) => x?.trim());
      if (!keys.includes(k as K) || !v) {
        ctx.addIssue({ code: 'custom', message: `must be pairs like ${keys.map((x) => `${x}=name`).join(',')}` });
        return z.NEVER;
      }
      out[k as K] = v;
    }
    return out;
  });

export const INBOUND_FIELDS = { from: 'from', to: 'to', text: 'text', id: 'id' };
export const STATUS_FIELDS = { ref: 'id', status: 'status', error: 'error' };

export const smsConfigSchema = {
  /** Sender shown to guests: an E.164 number, a short code or an alphanumeric id (at most 11 characters). */
  SMS_FROM: z
    .string()
    .regex(
      /^(\+?\d{3,15}|[A-Za-z0-9 ]{1,11})$/,
      'must be a number (+359…), a short code or up to 11 letters and digits',
    )
    .optional(),
  /** Time-out of one send attempt in milliseconds; retries all fit in about 8 seconds. */
  SMS_TIMEOUT_MS: z.coerce.number().int().min(200).max(30_000).default(3000),

  /** http gateway: the aggregator's URL; {{to}}, {{text}} and {{from}} are replaced (URL-encoded) here too. */
  SMS_HTTP_URL: z
    .string()
    .regex(/^https?:\/\/\S+$/, 'must be an http:// or https:// URL')
    .optional(),
  /** http gateway: the request method. */
  SMS_HTTP_METHOD: z.enum(['GET', 'POST', 'PUT']).default('POST'),
  /** http gateway: extra request headers as a JSON object, e.g. {"Authorization":"Bearer …","Content-Type":"application/json"}. */
  SMS_HTTP_HEADERS: json(z.record(z.string(), z.string()), 'an object of header names to string values').optional(),
  /**
   * http gateway: the body template with {{to}} {{text}} {{from}}. Values are escaped for the
   * Content-Type header (JSON, form, XML, plain text with line breaks as spaces); any other
   * type is refused at start-up (portal/sms/body-escape.ts).
   */
  SMS_HTTP_BODY: z.string().optional(),
  /** http gateway: HTTP statuses that mean "accepted". */
  SMS_HTTP_SUCCESS: statusRanges.default([[200, 299]]),
  /** http gateway: optional regular expression the response body must match to count as accepted. */
  SMS_HTTP_SUCCESS_MATCH: regex.optional(),
  /** http gateway: where the message id is: a JSON path (messages.0.id) or /a regex with one (group)/. */
  SMS_HTTP_ID: z.string().optional(),
  /** http gateway inbound and status callbacks: field names (from=…,to=…,text=…,id=…). */
  SMS_INBOUND_FIELDS: fieldMap(['from', 'to', 'text', 'id'] as const, INBOUND_FIELDS).default(INBOUND_FIELDS),
  /** http gateway status callback: field names (ref=…,status=…,error=…). */
  SMS_STATUS_FIELDS: fieldMap(['ref', 'status', 'error'] as const, STATUS_FIELDS).default(STATUS_FIELDS),
  /**
   * Shared secret the http gateway's callbacks must send (?token=… or Authorization: Bearer …).
   * Required in production for /sms/inbound/http and /sms/status/http to answer.
   */
  SMS_INBOUND_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),

  /** smpp gateway: smpp://system_id:password@host:port (ssmpp:// for TLS). */
  SMS_SMPP_URL: z
    .string()
    .regex(/^s?smpp:\/\/[^:@/]+:[^@/]*@[^:/]+(:\d+)?\/?$/, 'must be smpp://system_id:password@host:port')
    .optional(),
  /** smpp gateway: system_type sent in the bind, if the SMSC wants one. */
  SMS_SMPP_SYSTEM_TYPE: z.string().max(12).default(''),
  /** smpp gateway: transmitter sends only; transceiver also receives inbound SMS and delivery receipts. */
  SMS_SMPP_BIND: z.enum(['transmitter', 'transceiver']).default('transmitter'),
  /** smpp gateway: enquire_link keepalive period in milliseconds. */
  SMS_SMPP_ENQUIRE_LINK_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  /** smpp gateway: receipt err: codes that mean the number is dead (unknown, unidentified, illegal subscriber …). */
  SMS_SMPP_PERMANENT_ERRORS: z
    .string()
    .regex(/^\d+(,\d+)*$/, 'must be comma-separated numbers')
    .default('1,5,9,11,12'),

  /** twilio gateway: the account SID (AC…). */
  TWILIO_ACCOUNT_SID: z
    .string()
    .regex(/^AC[0-9a-fA-F]{32}$/, 'must be AC followed by 32 hex digits')
    .optional(),
  /** twilio gateway: the auth token; also checks X-Twilio-Signature on webhooks. */
  TWILIO_AUTH_TOKEN: z.string().min(16).optional(),
  /** twilio gateway: the sending number (E.164) or alphanumeric sender … */
  TWILIO_FROM: z.string().optional(),
  /** … or a messaging service (MG…) instead of TWILIO_FROM. */
  TWILIO_MESSAGING_SERVICE_SID: z
    .string()
    .regex(/^MG[0-9a-fA-F]{32}$/, 'must be MG followed by 32 hex digits')
    .optional(),
  /** twilio gateway: API base URL (tests point it at a local server). */
  TWILIO_API_BASE: z
    .string()
    .regex(/^https?:\/\/[^/]+$/, 'must be a scheme and host, without a path')
    .default('https://api.twilio.com'),
};

const smsObject = z.object(smsConfigSchema);
type SmsConfigValues = z.infer<typeof smsObject> & {
  SMS_GATEWAY?: 'console' | 'http' | 'smpp' | 'twilio';
  NODE_ENV: string;
};

/** One line per missing variable, naming it; empty when the chosen gateway is fully configured. */
export function smsConfigProblems(c: SmsConfigValues): string[] {
  const need = (names: (keyof SmsConfigValues)[]) => names.filter((n) => c[n] === undefined || c[n] === '');
  const gateway = c.SMS_GATEWAY;
  const missing: string[] = [];
  if (gateway === 'http') missing.push(...need(['SMS_HTTP_URL']));
  if (gateway === 'smpp') missing.push(...need(['SMS_SMPP_URL', 'SMS_FROM']));
  if (gateway === 'twilio') {
    missing.push(...need(['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN']));
    if (!c.TWILIO_FROM && !c.TWILIO_MESSAGING_SERVICE_SID) missing.push('TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID');
  }
  const lines = missing.map((n) => `${n}: required when SMS_GATEWAY=${gateway}`);
  if (gateway === 'http' && c.SMS_HTTP_METHOD !== 'GET' && !c.SMS_HTTP_BODY) {
    lines.push(
      `SMS_HTTP_BODY: required when SMS_HTTP_METHOD=${c.SMS_HTTP_METHOD} (a template with {{to}} {{text}} {{from}})`,
    );
  }
  if (gateway === 'http' && c.SMS_HTTP_BODY !== undefined && c.SMS_HTTP_METHOD !== 'GET') {
    const contentType =
      Object.entries(c.SMS_HTTP_HEADERS ?? {}).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
    const problem = bodyTemplateProblem(c.SMS_HTTP_BODY, contentType);
    if (problem) lines.push(`SMS_HTTP_BODY: ${problem}`);
  }
  return lines;
}
