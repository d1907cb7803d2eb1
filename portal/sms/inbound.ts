// Inbound SMS, whichever gateway brought it: stored once (a gateway that retries its
// webhook or deliver_sm hits the unique (gateway, ref) and gets no second answer), then
// handed to the InboundHandler (keywords live there); a reply goes back through the
// gateway, or into Twilio's TwiML answer.
import { randomUUID } from 'node:crypto';
import type { Db } from '../store/db.ts';
import { StoreError } from '../store/db.ts';
import type { Keys } from '../crypto/keys.ts';
import type { Logger } from '../log.ts';
import { maskNumber } from '../log.ts';
import type { SmsGateway } from './gateway.ts';
import { smsPartCount } from './encoding.ts';
import type { MessageLog } from './message-log.ts';

export interface InboundSms {
  /** The sender, E.164 (+359…). */
  from: string;
  /** The number or short code it was sent to, as the gateway gave it. */
  to: string;
  text: string;
  gateway: string;
  /** The gateway's own id for the message (Twilio MessageSid, the http gateway's id field …). */
  ref: string;
  /** Milliseconds since the epoch. */
  receivedAt: number;
}

export interface InboundReply {
  /** Text to send back to the sender. */
  reply?: string;
  /** Kept in the message log for the reply (default 'reply'). */
  purpose?: string;
  venueId?: string;
}

/** What to do with an inbound SMS. The default records it and answers nothing. */
export interface InboundHandler {
  handle(msg: InboundSms): Promise<InboundReply | void>;
}

/**
 * Replies sent to one number within an hour. Anyone may text HELP (or forge it through a
 * webhook) as often as they like; past this the message is still stored and handled
 * (a STOP still withdraws) but gets no answer, so Foyer cannot be made to send without limit.
 */
export const INBOUND_REPLIES_PER_HOUR = 5;
const HOUR = 60 * 60_000;

export const recordOnly: InboundHandler = { handle: async () => undefined };

export interface ReceiveResult {
  id: string;
  /** Stored before: handled (or being handled) by an earlier delivery of the same message. */
  duplicate: boolean;
  reply?: string;
}

export class InboundReceiver {
  private handler: InboundHandler = recordOnly;
  private replies = new Set<Promise<void>>();

  constructor(
    private readonly deps: {
      db: Db;
      keys: Keys;
      log: Logger;
      messages: MessageLog;
      gateway?: SmsGateway;
      now?: () => number;
    },
  ) {}

  /** Installs the handler (keywords, opt-in …); called once at start-up. */
  setHandler(handler: InboundHandler): void {
    this.handler = handler;
  }

  /** The gateway replies go out through (the logged, retrying one). */
  setReplyGateway(gateway: SmsGateway): void {
    this.deps.gateway = gateway;
  }

  /**
   * Stores and handles `msg`; a reply is sent through the gateway (replyVia 'gateway',
   * in the background) or only returned (replyVia 'caller': Twilio answers with TwiML).
   * A handler that throws leaves the message unhandled: the gateway's retry handles it again.
   */
  async receive(msg: InboundSms, replyVia: 'gateway' | 'caller' = 'gateway'): Promise<ReceiveResult> {
    const now = this.deps.now ?? Date.now;
    const claimed = await this.claim(msg);
    if (!claimed.fresh) {
      this.deps.log.info(
        { gateway: msg.gateway, ref: msg.ref, from: maskNumber(msg.from) },
        'inbound sms already received; not answered again',
      );
      return { id: claimed.id, duplicate: true };
    }
    let out: InboundReply | void;
    try {
      out = await this.handler.handle(msg);
    } catch (err) {
      await this.deps.db.run('UPDATE sms_inbound SET error = ? WHERE id = ?', [
        String((err as Error).message ?? err).slice(0, 500),
        claimed.id,
      ]);
      throw err;
    }
    await this.deps.db.run('UPDATE sms_inbound SET handled_at = ?, error = NULL WHERE id = ?', [now(), claimed.id]);
    this.deps.log.info(
      { gateway: msg.gateway, ref: msg.ref, from: maskNumber(msg.from), replied: Boolean(out?.reply) },
      'inbound sms received',
    );
    let reply = out?.reply || undefined;
    if (reply && !(await this.mayReply(claimed.id, msg))) {
      this.deps.log.warn(
        { gateway: msg.gateway, ref: msg.ref, from: maskNumber(msg.from) },
        'inbound sms not answered: reply limit for this number reached',
      );
      reply = undefined;
    }
    if (reply && out) {
      if (replyVia === 'gateway') this.track(this.sendReply(claimed.id, msg, reply, out));
      else await this.logCallerReply(claimed.id, msg, reply, out);
    }
    return { id: claimed.id, duplicate: false, reply };
  }

  /** Resolves when every reply sent in the background has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.replies.size) await Promise.allSettled([...this.replies]);
  }

  // Inserts the message, or re-claims one whose handler failed before; anything else is a duplicate.
  private async claim(msg: InboundSms): Promise<{ id: string; fresh: boolean }> {
    const id = randomUUID();
    try {
      await this.deps.db.run(
        `INSERT INTO sms_inbound (id, gateway, gateway_ref, from_masked, from_hash, to_number, text, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          id,
          msg.gateway,
          msg.ref,
          maskNumber(msg.from),
          this.deps.messages.numberHash(msg.from),
          msg.to,
          msg.text,
          msg.receivedAt,
        ],
      );
      return { id, fresh: true };
    } catch (err) {
      if (!(err instanceof StoreError && err.code === 'conflict')) throw err;
    }
    const row = await this.deps.db.get<{ id: string }>(
      'SELECT id FROM sms_inbound WHERE gateway = ? AND gateway_ref = ?',
      [msg.gateway, msg.ref],
    );
    if (!row) throw new StoreError('conflict', 'inbound sms vanished while being claimed');
    const { changes } = await this.deps.db.run(
      'UPDATE sms_inbound SET error = NULL WHERE id = ? AND handled_at IS NULL AND error IS NOT NULL',
      [row.id],
    );
    return { id: row.id, fresh: changes === 1 };
  }

  // Counts this answer against the sender's hour before it is sent, one sender at a time
  // (the lock), so parallel messages cannot all find the count below the limit.
  private async mayReply(inboundId: string, msg: InboundSms): Promise<boolean> {
    const fromHash = this.deps.messages.numberHash(msg.from);
    return this.deps.db.tx(async (tx) => {
      await tx.lock(`sms-reply:${fromHash}`);
      const row = await tx.get<{ n: number }>(
        'SELECT COUNT(*) AS n FROM sms_inbound WHERE from_hash = ? AND replied_at > ?',
        [fromHash, msg.receivedAt - HOUR],
      );
      if (Number(row!.n) >= INBOUND_REPLIES_PER_HOUR) return false;
      await tx.run('UPDATE sms_inbound SET replied_at = ? WHERE id = ?', [msg.receivedAt, inboundId]);
      return true;
    });
  }

  private async sendReply(inboundId: string, msg: InboundSms, text: string, out: InboundReply): Promise<void> {
    const gateway = this.deps.gateway;
    if (!gateway) {
      this.deps.log.warn({ ref: msg.ref }, 'inbound sms reply dropped: no gateway to send it');
      return;
    }
    try {
      const res = await gateway.send({ to: msg.from, text, purpose: out.purpose ?? 'reply', venueId: out.venueId });
      if (res.messageId)
        await this.deps.db.run('UPDATE sms_inbound SET reply_message_id = ? WHERE id = ?', [res.messageId, inboundId]);
    } catch (err) {
      // The message log has the failure; the inbound message stays handled.
      this.deps.log.warn(
        { ref: msg.ref, to: maskNumber(msg.from), error: (err as Error).message },
        'inbound sms reply not sent',
      );
    }
  }

  // A TwiML reply leaves with the webhook answer; the log still gets its row.
  private async logCallerReply(inboundId: string, msg: InboundSms, text: string, out: InboundReply): Promise<void> {
    const m = this.deps.messages;
    const id = await m.queued(
      { to: msg.from, text, purpose: out.purpose ?? 'reply', venueId: out.venueId },
      msg.gateway,
    );
    await m.sent(id, `reply:${msg.ref}`, smsPartCount(text));
    await this.deps.db.run('UPDATE sms_inbound SET reply_message_id = ? WHERE id = ?', [id, inboundId]);
  }

  private track(p: Promise<void>): void {
    this.replies.add(p);
    void p.finally(() => this.replies.delete(p));
  }
}
