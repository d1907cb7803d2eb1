// createSmsGateway: the gateway SMS_GATEWAY names, inside the message log and the retrying
// layer, with inbound SMS and delivery receipts wired to the log and the InboundReceiver.
import type { Config } from '../config.ts';
import type { Db } from '../store/db.ts';
import type { Keys } from '../crypto/keys.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { SmsGateway } from './gateway.ts';
import { ConsoleGateway } from './console.ts';
import { HttpGateway } from './http.ts';
import { SmppGateway } from './smpp.ts';
import { TwilioGateway } from './twilio.ts';
import { MessageLog } from './message-log.ts';
import { ReliableGateway, defaultPolicy, type RetryPolicy } from './reliable.ts';
import { InboundReceiver } from './inbound.ts';
import { applyReceipt } from './receipts.ts';

export type { SmsGateway, OutboundSms, SendResult } from './gateway.ts';
export { SmsError } from './gateway.ts';
export type { InboundHandler, InboundSms, InboundReply } from './inbound.ts';
export { MessageLog } from './message-log.ts';

/** The gateway everyone sends through, plus its message log and inbound side. */
export interface SmsService extends SmsGateway {
  readonly messages: MessageLog;
  readonly inbound: InboundReceiver;
  /** The bare gateway, without logging or retries. */
  readonly raw: SmsGateway;
  close(): Promise<void>;
}

export interface SmsDeps {
  db: Db;
  keys: Keys;
  metrics: Metrics;
  now?: () => number;
}

export function createSmsGateway(
  config: Config,
  log: Logger,
  deps: SmsDeps,
  policy?: Partial<RetryPolicy>,
): SmsService {
  const now = deps.now ?? Date.now;
  const messages = new MessageLog(deps.db, deps.keys, now);
  const inbound = new InboundReceiver({ db: deps.db, keys: deps.keys, log, messages, now });
  const slog = log.child({ component: 'sms' });
  const raw = bareGateway(config, slog, {
    onInbound: async (msg) => void (await inbound.receive(msg, 'gateway')),
    onReceipt: async (r) => {
      if (r.status)
        await applyReceipt(messages, slog, { gateway: 'smpp', ref: r.ref, status: r.status, errorCode: r.err });
    },
    now,
  });
  const reliable = new ReliableGateway(
    raw,
    messages,
    { metrics: deps.metrics, log: slog, now },
    { ...defaultPolicy(config.SMS_TIMEOUT_MS), ...policy },
  );
  inbound.setReplyGateway(reliable);
  return Object.assign(reliable, {
    messages,
    inbound,
    raw,
    close: async () => {
      await inbound.idle();
      await raw.close?.();
    },
  });
}

function bareGateway(
  c: Config,
  log: Logger,
  hooks: Pick<ConstructorParameters<typeof SmppGateway>[0], 'onInbound' | 'onReceipt' | 'now'>,
): SmsGateway {
  switch (c.smsGateway) {
    case 'console':
      return new ConsoleGateway(c.smsOutbox, log, hooks.now);
    case 'http':
      return new HttpGateway({
        url: c.SMS_HTTP_URL!,
        method: c.SMS_HTTP_METHOD,
        headers: c.SMS_HTTP_HEADERS ?? {},
        body: c.SMS_HTTP_BODY,
        from: c.SMS_FROM,
        success: c.SMS_HTTP_SUCCESS,
        successMatch: c.SMS_HTTP_SUCCESS_MATCH,
        idAt: c.SMS_HTTP_ID,
        timeoutMs: c.SMS_TIMEOUT_MS,
      });
    case 'twilio':
      return new TwilioGateway({
        accountSid: c.TWILIO_ACCOUNT_SID!,
        authToken: c.TWILIO_AUTH_TOKEN!,
        from: c.TWILIO_FROM,
        messagingServiceSid: c.TWILIO_MESSAGING_SERVICE_SID,
        apiBase: c.TWILIO_API_BASE,
        statusCallback: c.PUBLIC_URL ? `${c.PUBLIC_URL.replace(/\/$/, '')}/sms/status/twilio` : undefined,
        timeoutMs: c.SMS_TIMEOUT_MS,
      });
    case 'smpp':
      return new SmppGateway({
        url: c.SMS_SMPP_URL!,
        systemType: c.SMS_SMPP_SYSTEM_TYPE,
        from: c.SMS_FROM!,
        bind: c.SMS_SMPP_BIND,
        enquireLinkMs: c.SMS_SMPP_ENQUIRE_LINK_MS,
        timeoutMs: c.SMS_TIMEOUT_MS,
        permanentErrors: new Set(c.SMS_SMPP_PERMANENT_ERRORS.split(',').map(Number)),
        log,
        ...hooks,
      }).start();
  }
}
