// One interface for every SMS gateway (console, http, smpp, twilio).
import type { Tx } from '../store/db.ts';

export interface OutboundSms {
  /** E.164, e.g. +359881234567. */
  to: string;
  text: string;
  /** What the message is for, kept in the message log: code, confirmation, help, stop, … */
  purpose: string;
  venueId?: string;
}

export interface SendResult {
  /** The gateway's own message reference (message id, SMPP message_id, Twilio SID). */
  ref: string;
  /** Number of SMS parts the text needed. */
  parts?: number;
  /** The message log's id for this message (set by the logging layer around a gateway). */
  messageId?: string;
  /** Not sent: the same message went to this number moments ago (reliable.ts NOT_REPEATED_MS). */
  skipped?: 'repeat';
}

/** Per-call limits the retrying layer hands down; a gateway may ignore them. */
export interface SendOptions {
  /** Give up on this attempt after this many milliseconds. */
  timeoutMs?: number;
  /** Aborted when the caller stopped waiting. */
  signal?: AbortSignal;
  /** The message's row in the message log, written by queueIn() in the sender's transaction. */
  logged?: string;
}

export interface SmsGateway {
  readonly name: string;
  /**
   * Sends one message. Resolves only when the gateway accepted it; rejects with an
   * SmsError when it did not (nothing may then be counted as sent).
   */
  send(msg: OutboundSms, opts?: SendOptions): Promise<SendResult>;
  /**
   * Writes the message's row in the message log with the sender's COMMIT (Tx.defer), for
   * a sender that records its send in a transaction before calling send() (a code): no
   * write of its own. Pass the id as SendOptions.logged. Gateways that keep no log lack it.
   */
  queueIn?(tx: Tx, msg: OutboundSms): string;
  close?(): Promise<void>;
}

export class SmsError extends Error {
  constructor(
    readonly code: 'sms_failed' | 'sms_timeout' | 'sms_rejected',
    message: string,
    /** Worth retrying (time-out, 5xx, throttling); false for a permanent refusal. */
    readonly transient: boolean,
  ) {
    super(message);
    this.name = 'SmsError';
  }
}
