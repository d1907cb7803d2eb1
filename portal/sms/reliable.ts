// Around any gateway: every message and every attempt in the message log, transient
// failures retried with exponential backoff inside one time budget (the guest is waiting
// for "code sent" or "could not send": a few seconds at most), permanent ones not at all.
import type { Logger } from '../log.ts';
import { maskNumber } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { SmsError, type OutboundSms, type SendOptions, type SendResult, type SmsGateway } from './gateway.ts';
import type { MessageLog } from './message-log.ts';
import type { Tx } from '../store/db.ts';

export interface RetryPolicy {
  /** Everything (attempts and waits) ends within this many milliseconds. */
  totalMs: number;
  /** Time-out of one attempt (cut shorter near the end of the budget). */
  attemptTimeoutMs: number;
  /** First wait; each later one doubles (with up to 20% jitter). */
  baseDelayMs: number;
  maxAttempts: number;
  /** An attempt with less time than this left is not started. */
  minAttemptMs: number;
}

export const defaultPolicy = (attemptTimeoutMs: number): RetryPolicy => ({
  totalMs: 8000,
  attemptTimeoutMs,
  baseDelayMs: 250,
  maxAttempts: 4,
  minAttemptMs: 500,
});

/**
 * Messages that say the same thing whatever triggered them are not sent twice to one number
 * (for one venue) within this window: signing up on a phone and then a laptop two minutes
 * apart confirms the subscription once.
 */
export const NOT_REPEATED_MS: Record<string, number> = { confirmation: 2 * 60_000 };

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class ReliableGateway implements SmsGateway {
  readonly name: string;

  constructor(
    readonly inner: SmsGateway,
    private readonly messages: MessageLog,
    private readonly deps: { metrics: Metrics; log: Logger; now?: () => number },
    private readonly policy: RetryPolicy = defaultPolicy(3000),
  ) {
    this.name = inner.name;
  }

  /** The message's log row in the sender's transaction, written with its COMMIT: send() then writes none. */
  queueIn(tx: Tx, msg: OutboundSms): string {
    return this.messages.queuedIn(tx, msg, this.name);
  }

  async send(msg: OutboundSms, opts: SendOptions = {}): Promise<SendResult> {
    const now = this.deps.now ?? Date.now;
    const quiet = NOT_REPEATED_MS[msg.purpose];
    // A message the sender logged itself (queueIn) was meant to go: it is not looked for again.
    if (quiet && !opts.logged && (await this.messages.sentSince(msg, now() - quiet))) {
      this.deps.log.info(
        { gateway: this.name, purpose: msg.purpose, to: maskNumber(msg.to) },
        'sms not repeated: the same one went to this number just now',
      );
      return { ref: '', skipped: 'repeat' };
    }
    const id = opts.logged ?? (await this.messages.queued(msg, this.name));
    const started = now();
    const deadline = started + this.policy.totalMs;
    // Made only when no attempt was (an SmsError's stack is not free, and most sends succeed).
    let lastError: SmsError | undefined;
    let attempt = 0;
    while (attempt < this.policy.maxAttempts) {
      const left = deadline - now();
      if (attempt > 0 && left < this.policy.minAttemptMs) break;
      attempt++;
      const timeoutMs = Math.max(1, Math.min(this.policy.attemptTimeoutMs, left));
      const t0 = now();
      try {
        const res = await withTimeout(this.inner, msg, timeoutMs, opts.signal);
        await this.messages.sentOnAttempt(id, attempt, now() - t0, res.ref, res.parts);
        this.deps.metrics.smsSent.inc({ gateway: this.name, purpose: msg.purpose, result: 'sent' });
        this.deps.log.info(
          {
            sms: id,
            gateway: this.name,
            purpose: msg.purpose,
            to: maskNumber(msg.to),
            ref: res.ref,
            parts: res.parts,
            attempts: attempt,
          },
          'sms sent',
        );
        return { ...res, messageId: id };
      } catch (err) {
        const error = (lastError = asSmsError(err));
        await this.messages.attempt(
          id,
          attempt,
          error.transient ? 'transient' : 'permanent',
          now() - t0,
          error.message,
        );
        this.deps.log.warn(
          {
            sms: id,
            gateway: this.name,
            purpose: msg.purpose,
            to: maskNumber(msg.to),
            attempt,
            code: error.code,
            transient: error.transient,
            error: error.message,
          },
          'sms attempt failed',
        );
        if (!error.transient || opts.signal?.aborted || attempt >= this.policy.maxAttempts) break;
        const delay = this.policy.baseDelayMs * 2 ** (attempt - 1) * (1 + Math.random() * 0.2);
        if (now() + delay + this.policy.minAttemptMs > deadline) break;
        this.deps.metrics.smsSent.inc({ gateway: this.name, purpose: msg.purpose, result: 'retried' });
        await sleep(delay);
      }
    }
    lastError ??= new SmsError('sms_failed', 'No attempt was made.', true);
    await this.messages.failed(id, lastError.message);
    this.deps.metrics.smsSent.inc({ gateway: this.name, purpose: msg.purpose, result: 'failed' });
    this.deps.log.error(
      {
        sms: id,
        gateway: this.name,
        purpose: msg.purpose,
        to: maskNumber(msg.to),
        attempts: attempt,
        code: lastError.code,
        error: lastError.message,
      },
      'sms not sent',
    );
    throw lastError;
  }

  close(): Promise<void> {
    return this.inner.close?.() ?? Promise.resolve();
  }
}

async function withTimeout(
  gw: SmsGateway,
  msg: OutboundSms,
  timeoutMs: number,
  outer?: AbortSignal,
): Promise<SendResult> {
  const ac = new AbortController();
  const onOuter = () => ac.abort(outer?.reason);
  outer?.addEventListener('abort', onOuter, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    // A little grace: a gateway's own, more precise error at its deadline wins the race.
    timer = setTimeout(() => {
      ac.abort(new Error('timeout'));
      reject(new SmsError('sms_timeout', `The ${gw.name} gateway did not answer within ${timeoutMs} ms.`, true));
    }, timeoutMs + 50);
  });
  try {
    return await Promise.race([gw.send(msg, { timeoutMs, signal: ac.signal }), timedOut]);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuter);
  }
}

/** Anything a gateway throws becomes an SmsError; an unexpected one counts as transient (a bug or an outage). */
export function asSmsError(err: unknown): SmsError {
  if (err instanceof SmsError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new SmsError('sms_failed', message, true);
}
