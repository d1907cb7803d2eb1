// Development and tests: each message is one JSON line appended to SMS_OUTBOX (the outbox
// is where a developer or a test reads the code). The log line names the purpose and a
// masked number, never the text.
import { appendFile, mkdir } from 'node:fs/promises';
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
      await mkdir(dirname(this.outbox), { recursive: true });
      await appendFile(this.outbox, line, { encoding: 'utf8', mode: 0o600 });
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
}
