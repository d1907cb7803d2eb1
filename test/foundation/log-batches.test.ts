// The server's log is written in batches (portal/log.ts batchedWriter): under RADIUS load a
// write per event-loop turn was a fifth of the thread's time (issue 18, stop 23). What the
// batching must keep: every line, in order, soon, and none lost when the process exits.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { accessLines, batchedWriter, createLogger, unredacted } from '../../portal/log.ts';
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

describe("logs: RADIUS's line per answer", () => {
  const sink = () => {
    const lines: string[] = [];
    return { lines, write: (l: string) => void lines.push(l) };
  };

  it('is written key for key as pino writes the same fields, whatever the NAS name and user hold', () => {
    const cases: Array<[string, string, 'accept' | 'reject', number, string | undefined]> = [
      ['cafe-ap', 'AA-B****FF', 'accept', 0.05, undefined],
      ['the "quoted" \\ ap', 'g-3f****4e', 'reject', 12, 'wrong_password'],
      ['ap\u2028\u0000\n', '\u0001\u007f****é\ud83d', 'reject', 0, 'unknown'],
    ];
    for (const [nas, user, result, ms, reason] of cases) {
      const viaPino = sink();
      const fast = sink();
      unredacted(createLogger('info', viaPino)).info(
        { nas, user, result, reason, ms },
        result === 'accept' ? 'Access-Accept' : 'Access-Reject',
      );
      accessLines(unredacted(createLogger('info', fast))).accessLine(nas, user, result, ms, reason);
      const [a, b] = [viaPino.lines, fast.lines].map((l) => {
        assert.equal(l.length, 1);
        assert.ok(l[0].endsWith('}\n'));
        const o = JSON.parse(l[0]);
        assert.equal(typeof o.time, 'number');
        delete o.time;
        return o;
      });
      assert.deepEqual(Object.keys(b), Object.keys(a), 'same keys in the same order');
      assert.deepEqual(b, a);
    }
  });

  it('is not written below its level', () => {
    const s = sink();
    accessLines(unredacted(createLogger('warn', s))).accessLine('ap', 'user', 'accept', 1, undefined);
    assert.deepEqual(s.lines, []);
  });
});
