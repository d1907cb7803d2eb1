// The server's log is written in batches (portal/log.ts batchedWriter): under RADIUS load a
// write per event-loop turn was a fifth of the thread's time (issue 18, stop 23). What the
// batching must keep: every line, in order, soon, and none lost when the process exits.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { batchedWriter } from '../../portal/log.ts';
import { NODE_FLAGS } from '../support/npm-start.ts';

const turn = () => new Promise((r) => setImmediate(r));

describe('logs: the server writes its lines in batches', () => {
  it('joins the lines of many event-loop turns into one write, in order', async () => {
    const writes: string[] = [];
    const b = batchedWriter((s) => writes.push(s), { maxDelayMs: 10_000 });
    for (let i = 0; i < 100; i++) {
      b.write(`line ${i}\n`);
      await turn();
    }
    assert.equal(writes.length, 0, 'nothing written before the delay or the size is reached');
    b.flush();
    assert.deepEqual(writes, [Array.from({ length: 100 }, (_, i) => `line ${i}\n`).join('')]);
  });

  it('writes a line no later than maxDelayMs after it came', async () => {
    const writes: string[] = [];
    const b = batchedWriter((s) => writes.push(s), { maxDelayMs: 20 });
    b.write('alone\n');
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(writes, ['alone\n']);
  });

  it('writes at once when maxBytes are waiting', () => {
    const writes: string[] = [];
    const b = batchedWriter((s) => writes.push(s), { maxDelayMs: 10_000, maxBytes: 30 });
    b.write('0123456789\n');
    b.write('0123456789\n');
    assert.equal(writes.length, 0);
    b.write('0123456789\n');
    assert.deepEqual(writes, ['0123456789\n'.repeat(3)]);
    b.flush();
  });

  it('loses nothing when the process exits, by process.exit() or by running out of work', () => {
    const script = (exit: string) =>
      `const { batchedStdout, createLogger } = await import(${JSON.stringify(new URL('../../portal/log.ts', import.meta.url).href)});
       const log = createLogger('info', batchedStdout());
       for (let i = 0; i < 3; i++) log.info({ i }, 'line');
       ${exit}`;
    for (const exit of ['process.exit(0);', '']) {
      const out = execFileSync(process.execPath, [...NODE_FLAGS, '--input-type=module', '-e', script(exit)], {
        encoding: 'utf8',
      });
      const lines = out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.deepEqual(
        lines.map((l) => l.i),
        [0, 1, 2],
        `exit by ${exit || 'running out of work'}`,
      );
    }
  });
});
