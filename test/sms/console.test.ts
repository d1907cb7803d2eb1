// The console gateway (development and tests): one JSON line per message appended to
// SMS_OUTBOX, in the order sent, readable by its owner only; its folder made when missing;
// a file it cannot write fails the message for good (no retry would help).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleGateway } from '../../portal/sms/console.ts';
import { SmsError } from '../../portal/sms/gateway.ts';
import { createLogger } from '../../portal/log.ts';

describe('sms: console gateway', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'foyer-outbox-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const log = createLogger('silent');

  it('appends one line per message, in order, to a file it makes 0600 in a folder it makes', async () => {
    const outbox = join(dir, 'not', 'yet', 'outbox.jsonl');
    const gw = new ConsoleGateway(outbox, log, () => Date.UTC(2026, 11, 3));
    const sent = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        gw.send({ to: `+3598812345${String(i).padStart(2, '0')}`, text: `code ${i}`, purpose: 'code' }),
      ),
    );
    const lines = readFileSync(outbox, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => l.text),
      Array.from({ length: 20 }, (_, i) => `code ${i}`),
    );
    assert.equal(lines[3].to, '+359881234503');
    assert.equal(lines[0].at, '2026-12-03T00:00:00.000Z');
    assert.equal(statSync(outbox).mode & 0o777, 0o600);
    assert.equal(new Set(sent.map((s) => s.ref)).size, 20);
    assert.deepEqual(
      sent.map((s) => s.parts),
      Array(20).fill(1),
    );
  });

  it('fails a message it cannot write, as permanent, naming the outbox', async () => {
    const outbox = join(dir, 'outbox.jsonl');
    mkdirSync(outbox); // a folder where the file should be
    const gw = new ConsoleGateway(outbox, log);
    await assert.rejects(gw.send({ to: '+359881234567', text: 'code 1', purpose: 'code' }), (err: unknown) => {
      assert.ok(err instanceof SmsError);
      assert.equal(err.code, 'sms_failed');
      assert.equal(err.transient, false);
      assert.match(err.message, /Could not write to SMS_OUTBOX .*outbox\.jsonl/);
      return true;
    });
  });
});
