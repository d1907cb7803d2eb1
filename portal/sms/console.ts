// Development and tests: each message is one JSON line appended to SMS_OUTBOX (the outbox
// is where a developer or a test reads the code). The log line names the purpose and a
// masked number, never the text.
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../log.ts';
import { maskNumber } from '../log.ts';
import { SmsError, type OutboundSms, type SendResult, type SmsGateway } from './gateway.ts';
import { smsPartCount } from './encoding.ts';

export class ConsoleGateway implements SmsGateway {
  readonly name = 'console';

  constructor(
    private readonly outbox: string,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async send(msg: OutboundSms): Promise<SendResult> {
    const line = JSON.stringify({ to: msg.to, text: msg.text, at: new Date(this.now()).toISOString() }) + '\n';
    try {
      this.append(line);
    } catch (err) {
      throw new SmsError(
        'sms_failed',
        `Could not write to SMS_OUTBOX ${this.outbox}: ${(err as Error).message}`,
        false,
      );
    }
    this.log.info({ to: maskNumber(msg.to), purpose: msg.purpose, outbox: this.outbox }, 'sms written to the outbox');
    return { ref: randomUUID(), parts: smsPartCount(msg.text) };
  }

  /**
   * Synchronous, on purpose: appending a line of about 150 bytes to a local file holds the
   * event loop for microseconds, where the asynchronous mkdir, open, write and close were
   * four trips to libuv's thread pool per message, each a thread to wake and a callback to
   * answer on the event loop (about 5 % of its time in the sign-up bench, which sends to
   * this outbox). The folder is made only when the file cannot be opened for want of it.
   */
  private append(line: string): void {
    try {
      appendFileSync(this.outbox, line, { encoding: 'utf8', mode: 0o600 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      mkdirSync(dirname(this.outbox), { recursive: true });
      appendFileSync(this.outbox, line, { encoding: 'utf8', mode: 0o600 });
    }
  }
}
