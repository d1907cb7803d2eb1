import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testContext, type TestContext } from '../support/context.ts';
import { createSmsGateway, SmsError, type SmsService } from '../../portal/sms/index.ts';
import { loadConfig } from '../../portal/config.ts';
import { httpPeer, capturedLogger, type HttpPeer } from './peers.ts';

const TO = '+359881234567';

describe('sms: console and http gateways, message log, retries', () => {
  let ctx: TestContext;
  let peer: HttpPeer | undefined;
  let sms: SmsService | undefined;
  afterEach(async () => {
    await sms?.close();
    await peer?.close();
    await ctx.cleanup();
    sms = peer = undefined;
  });

  const gatewayFor = (env: Record<string, string>, log = capturedLogger()) => {
    const config = loadConfig({
      ...env,
      NODE_ENV: 'test',
      DATA_DIR: ctx.dir,
      DATABASE_URL: join(ctx.dir, 'foyer.db'),
      SECRET_KEY: 'test-secret-key-0123456789abcdef0123456789',
    });
    sms = createSmsGateway(config, log.log, ctx);
    return { sms, lines: log.lines };
  };

  const rows = () => ctx.db.all<Record<string, unknown>>('SELECT * FROM sms_messages ORDER BY created_at');
  const attempts = (id: string) =>
    ctx.db.all<{ attempt: number; result: string; error: string | null }>(
      'SELECT attempt, result, error FROM sms_attempts WHERE message_id = ? ORDER BY attempt',
      [id],
    );

  it('console: appends one JSON line to the outbox and logs the purpose, not the text', async () => {
    ctx = await testContext();
    const { sms, lines } = gatewayFor({ SMS_OUTBOX: join(ctx.dir, 'out.jsonl') });
    const res = await sms.send({ to: TO, text: 'Your code is 482913', purpose: 'code', venueId: 'v1' });
    const line = JSON.parse(readFileSync(join(ctx.dir, 'out.jsonl'), 'utf8').trim());
    assert.equal(line.to, TO);
    assert.equal(line.text, 'Your code is 482913');
    assert.ok(!Number.isNaN(Date.parse(line.at)));
    assert.ok(lines.length > 0);
    assert.ok(
      lines.every((l) => !l.includes('482913') && !l.includes(TO)),
      'no code and no full number in the log',
    );
    assert.ok(lines.some((l) => l.includes('"purpose":"code"') && l.includes('+35988****567')));
    const [row] = await rows();
    assert.equal(row.id, res.messageId);
    assert.equal(row.status, 'sent');
    assert.equal(row.to_masked, '+35988****567');
    assert.equal(row.to_hash, ctx.keys.hmac('number-hash', TO));
    assert.equal(row.venue_id, 'v1');
    assert.equal(row.purpose, 'code');
    assert.equal(row.gateway, 'console');
    assert.ok(!JSON.stringify(row).includes('482913'), 'the log row holds no text');
  });

  it('http: fills a JSON body template, checks the answer and takes the message id from it', async () => {
    ctx = await testContext();
    peer = await httpPeer(() => ({ status: 200, body: JSON.stringify({ ok: true, messages: [{ id: 'agg-77' }] }) }));
    const { sms } = gatewayFor({
      SMS_GATEWAY: 'http',
      SMS_HTTP_URL: `${peer.url}/send?src={{from}}`,
      SMS_HTTP_HEADERS: JSON.stringify({ 'Content-Type': 'application/json', Authorization: 'Bearer k' }),
      SMS_HTTP_BODY: '{"to":"{{to}}","message":"{{text}}","sender":"{{from}}"}',
      SMS_HTTP_SUCCESS_MATCH: '"ok":\\s*true',
      SMS_HTTP_ID: 'messages.0.id',
      SMS_FROM: 'Foyer Cafe',
    });
    const text = 'Код: 123456 "quoted"\nline';
    const res = await sms.send({ to: TO, text, purpose: 'code' });
    assert.equal(res.ref, 'agg-77');
    assert.equal(res.parts, 1);
    const req = peer.requests[0];
    assert.equal(req.method, 'POST');
    assert.equal(req.url, '/send?src=Foyer%20Cafe');
    assert.equal(req.headers.authorization, 'Bearer k');
    assert.deepEqual(JSON.parse(req.body), { to: TO, message: text, sender: 'Foyer Cafe' });
    const [row] = await rows();
    assert.equal(row.gateway_ref, 'agg-77');
    assert.equal(row.status, 'sent');
  });

  it('http: form-encodes a form body template and reads the id with a regex', async () => {
    ctx = await testContext();
    peer = await httpPeer(() => ({ status: 202, body: 'OK id=abc123', headers: { 'content-type': 'text/plain' } }));
    const { sms } = gatewayFor({
      SMS_GATEWAY: 'http',
      SMS_HTTP_URL: `${peer.url}/api`,
      SMS_HTTP_HEADERS: JSON.stringify({ 'Content-Type': 'application/x-www-form-urlencoded' }),
      SMS_HTTP_BODY: 'dst={{to}}&msg={{text}}',
      SMS_HTTP_ID: '/id=(\\w+)/',
    });
    const res = await sms.send({ to: TO, text: 'a&b=c ä+', purpose: 'help' });
    assert.equal(res.ref, 'abc123');
    const form = new URLSearchParams(peer.requests[0].body);
    assert.equal(form.get('dst'), TO);
    assert.equal(form.get('msg'), 'a&b=c ä+');
  });

  // An operator writes the SMS wording (HELP reply, confirmation); the aggregator must get
  // that wording as the text of one message to the guest, never a second message elsewhere.
  it("http: an operator's wording cannot add a message to another number, in XML, text, JSON or form bodies", async () => {
    ctx = await testContext();
    peer = await httpPeer(() => ({ status: 200, body: 'OK' }));
    const cases = [
      {
        type: 'application/xml',
        body: '<?xml version="1.0"?><messages><sms><to>{{to}}</to><text>{{text}}</text></sms></messages>',
        wording: 'Welcome & thanks</text></sms><sms><to>+882123456789</to><text>premium',
        recipients: (b: string) => [...b.matchAll(/<to>([^<]*)<\/to>/g)].map((m) => m[1]),
        text: (b: string) =>
          /<text>([^<]*)<\/text>/
            .exec(b)?.[1]
            .replace(/&lt;/g, '<')
            .replace(/&gt;/g, '>')
            .replace(/&quot;/g, '"')
            .replace(/&apos;/g, "'")
            .replace(/&amp;/g, '&'),
      },
      {
        type: 'text/plain',
        body: 'to={{to}}\ntext={{text}}\n',
        wording: 'Welcome\nto=+882123456789\ntext=premium',
        recipients: (b: string) => [...b.matchAll(/^to=(.*)$/gm)].map((m) => m[1]),
        text: (b: string) => /^text=(.*)$/m.exec(b)?.[1],
      },
      {
        type: 'application/json',
        body: '{"to":"{{to}}","text":"{{text}}"}',
        wording: 'Welcome","to":"+882123456789',
        recipients: (b: string) => [JSON.parse(b).to],
        text: (b: string) => JSON.parse(b).text,
      },
      {
        type: 'application/x-www-form-urlencoded',
        body: 'to={{to}}&text={{text}}',
        wording: 'Welcome&to=+882123456789',
        recipients: (b: string) => new URLSearchParams(b).getAll('to'),
        text: (b: string) => new URLSearchParams(b).get('text') ?? undefined,
      },
    ];
    for (const c of cases) {
      await sms?.close();
      gatewayFor({
        SMS_GATEWAY: 'http',
        SMS_HTTP_URL: `${peer.url}/send`,
        SMS_HTTP_HEADERS: JSON.stringify({ 'Content-Type': c.type }),
        SMS_HTTP_BODY: c.body,
      });
      await sms!.send({ to: TO, text: c.wording, purpose: 'keyword-help' });
      const got: string = peer.requests.at(-1)!.body;
      assert.deepEqual(c.recipients(got), [TO], `${c.type}: ${got}`);
      assert.ok(
        c.text(got)?.includes('premium') || c.text(got)?.includes('+882123456789'),
        `${c.type}: the wording stays in the text: ${got}`,
      );
    }
  });

  it('http: retries a 5xx with backoff and succeeds; every attempt is in the log', async () => {
    ctx = await testContext();
    peer = await httpPeer((_r, n) => (n < 3 ? { status: 503, body: 'busy' } : { status: 200, body: '{"id":"ok-3"}' }));
    const { sms } = gatewayFor({
      SMS_GATEWAY: 'http',
      SMS_HTTP_URL: `${peer.url}/s`,
      SMS_HTTP_BODY: '{{text}}',
      SMS_HTTP_ID: 'id',
    });
    const started = Date.now();
    const res = await sms.send({ to: TO, text: 'hi', purpose: 'code' });
    const took = Date.now() - started;
    assert.equal(res.ref, 'ok-3');
    assert.equal(peer.requests.length, 3);
    assert.ok(took >= 250 + 500, `backoff waited (${took} ms)`);
    const list = await attempts(res.messageId!);
    assert.deepEqual(
      list.map((a) => a.result),
      ['transient', 'transient', 'sent'],
    );
    assert.match(list[0].error!, /503/);
    const [row] = await rows();
    assert.equal(row.status, 'sent');
    assert.equal(Number(row.attempts), 3);
    const metrics = await ctx.metrics.registry.metrics();
    assert.match(metrics, /foyer_sms_total\{gateway="http",purpose="code",result="retried"\} 2/);
    assert.match(metrics, /foyer_sms_total\{gateway="http",purpose="code",result="sent"\} 1/);
  });

  it('http: does not retry a permanent 4xx, counts nothing as sent and logs the failure', async () => {
    ctx = await testContext();
    peer = await httpPeer(() => ({ status: 400, body: '{"error":"invalid number"}' }));
    const log = capturedLogger();
    const { sms } = gatewayFor({ SMS_GATEWAY: 'http', SMS_HTTP_URL: `${peer.url}/s`, SMS_HTTP_BODY: '{{text}}' }, log);
    await assert.rejects(
      sms.send({ to: TO, text: 'Your code is 111222', purpose: 'code' }),
      (e: unknown) => e instanceof SmsError && e.code === 'sms_rejected' && !e.transient,
    );
    assert.equal(peer.requests.length, 1);
    const [row] = await rows();
    assert.equal(row.status, 'failed');
    assert.equal(row.gateway_ref, null);
    assert.match(String(row.error), /400/);
    const metrics = await ctx.metrics.registry.metrics();
    assert.match(metrics, /foyer_sms_total\{gateway="http",purpose="code",result="failed"\} 1/);
    assert.doesNotMatch(metrics, /result="sent"/);
    assert.ok(log.lines.some((l) => l.includes('sms not sent')));
    assert.ok(log.lines.every((l) => !l.includes('111222')));
  });

  it('http: a body that fails SMS_HTTP_SUCCESS_MATCH is a refusal', async () => {
    ctx = await testContext();
    peer = await httpPeer(() => ({ status: 200, body: '{"ok":false,"reason":"no credit"}' }));
    const { sms } = gatewayFor({
      SMS_GATEWAY: 'http',
      SMS_HTTP_URL: `${peer.url}/s`,
      SMS_HTTP_BODY: '{{text}}',
      SMS_HTTP_SUCCESS_MATCH: '"ok":true',
    });
    await assert.rejects(sms.send({ to: TO, text: 'x', purpose: 'code' }), /SMS_HTTP_SUCCESS_MATCH/);
    assert.equal(peer.requests.length, 1);
  });

  it('http: times out a silent gateway, retries, and gives up within the time budget', async () => {
    ctx = await testContext();
    peer = await httpPeer(() => ({ status: 200, body: '{}', delayMs: 5000 }));
    const { sms } = gatewayFor({
      SMS_GATEWAY: 'http',
      SMS_HTTP_URL: `${peer.url}/s`,
      SMS_HTTP_BODY: '{{text}}',
      SMS_TIMEOUT_MS: '300',
    });
    const started = Date.now();
    await assert.rejects(
      sms.send({ to: TO, text: 'x', purpose: 'code' }),
      (e: unknown) => e instanceof SmsError && e.code === 'sms_timeout',
    );
    const took = Date.now() - started;
    assert.ok(took < 8500, `gave up in time (${took} ms)`);
    assert.ok(peer.requests.length >= 3, `retried (${peer.requests.length} attempts)`);
    const [row] = await rows();
    assert.equal(row.status, 'failed');
    assert.equal(Number(row.attempts), peer.requests.length);
  });

  it('http: a timed-out first attempt is retried and the second succeeds', async () => {
    ctx = await testContext();
    peer = await httpPeer((_r, n) =>
      n === 1 ? { status: 200, body: '{"id":"late"}', delayMs: 2000 } : { status: 200, body: '{"id":"second"}' },
    );
    const { sms } = gatewayFor({
      SMS_GATEWAY: 'http',
      SMS_HTTP_URL: `${peer.url}/s`,
      SMS_HTTP_BODY: '{{text}}',
      SMS_HTTP_ID: 'id',
      SMS_TIMEOUT_MS: '400',
    });
    const res = await sms.send({ to: TO, text: 'x', purpose: 'code' });
    assert.equal(res.ref, 'second');
    assert.deepEqual(
      (await attempts(res.messageId!)).map((a) => a.result),
      ['transient', 'sent'],
    );
  });

  it('http: an unreachable gateway is a transient failure', async () => {
    ctx = await testContext();
    const { sms } = gatewayFor({
      SMS_GATEWAY: 'http',
      SMS_HTTP_URL: 'http://127.0.0.1:9/s',
      SMS_HTTP_BODY: '{{text}}',
    });
    await assert.rejects(
      sms.send({ to: TO, text: 'x', purpose: 'code' }),
      (e: unknown) => e instanceof SmsError && e.transient && /could not be reached/.test(e.message),
    );
    const [row] = await rows();
    assert.equal(row.status, 'failed');
    assert.ok(Number(row.attempts) > 1);
  });
});
