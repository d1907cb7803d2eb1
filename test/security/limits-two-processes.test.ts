// The send limits hold across Foyer processes sharing one PostgreSQL database (the
// deployment issue 18 measures at 500 sign-ups a second): submissions fired at once,
// each page fetched from one process and submitted to the other, are held to the
// per-address and per-number limits exactly, as they are in one process. Guards the
// batched write path, whose locks must still be taken in the database, not in a process.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../../portal/store/open.ts';
import { findVenueBySlug, updateVenueSettings } from '../../portal/venues/venues.ts';
import { foyerProcess, type FoyerProcess } from '../support/foyer-process.ts';
import { freshPostgresUrl } from '../support/context.ts';
import { needs, requirements } from '../support/env.ts';
import { LOGIN_URL, prepareVenue } from '../support/guest-signup.ts';
import { Browser, formFields } from '../guest/helpers.ts';

const SECRET_KEY = 'two-processes-secret-key-0123456789abcdef';

describe('send limits across two Foyer processes on one PostgreSQL database', function () {
  this.timeout(120_000);
  let dir: string;
  let pg: { url: string; drop(): Promise<void> } | undefined;
  const procs: FoyerProcess[] = [];
  let outbox: string;

  before(async function () {
    needs(this, requirements.postgres);
    dir = mkdtempSync(join(tmpdir(), 'foyer-two-'));
    pg = await freshPostgresUrl();
    await prepareVenue(pg.url, { slug: 'two', secretKey: SECRET_KEY, nasSecret: 'two-nas-secret' });
    const db = await openDb(pg.url);
    try {
      const v = (await findVenueBySlug(db, 'two'))!;
      await updateVenueSettings(db, v.id, {
        ...v.settings,
        limits: { ...v.settings.limits, perIpHour: 60, perNumber10Min: 3, perNumberDay: 10 },
      });
    } finally {
      await db.close();
    }
    outbox = join(dir, 'outbox.jsonl');
    for (let i = 0; i < 2; i++) {
      const p = await foyerProcess({ DATABASE_URL: pg.url, DATA_DIR: dir, SECRET_KEY, SMS_OUTBOX: outbox });
      await p.start();
      procs.push(p);
    }
  });
  after(async () => {
    for (const p of procs) await p.kill('SIGKILL');
    await pg?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const sent = () =>
    existsSync(outbox)
      ? readFileSync(outbox, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { to: string })
      : [];

  /** `count` pages, each fetched from one process and submitted, all at once, to the other. */
  async function fireAcross(count: number, phone: (i: number) => string, macOctet: number) {
    const pages = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const r = await new Browser(procs[i % 2].url, { lang: 'bg' }).get(
          `/p/two?mac=02-E2-00-0${macOctet}-00-${i.toString(16).padStart(2, '0')}&nasid=ap-test&login_url=${encodeURIComponent(LOGIN_URL)}`,
        );
        assert.equal(r.status, 200, r.html.slice(r.html.indexOf('<main'), r.html.indexOf('<main') + 400));
        return formFields(r.html, '/start');
      }),
    );
    const answers = await Promise.all(
      pages.map((f, i) =>
        new Browser(procs[(i + 1) % 2].url, { lang: 'bg' }).post('/p/two/start', {
          ...f,
          phone: phone(i),
          consent_terms: 'yes',
        }),
      ),
    );
    for (const a of answers.filter((x) => x.status === 429)) {
      assert.ok(Number(a.headers.get('retry-after')) > 0, 'Retry-After');
      assert.match(a.html, /<html lang="bg">/);
    }
    const statuses = answers.map((a) => a.status);
    assert.deepEqual([...new Set(statuses)].sort(), [303, 429], JSON.stringify(statuses));
    return statuses.filter((s) => s === 303).length;
  }

  it('12 submissions for one number at once: 3 codes', async () => {
    assert.equal(await fireAcross(12, () => '0887700001', 1), 3);
    assert.equal(sent().filter((m) => m.to === '+359887700001').length, 3);
  });

  it('100 submissions from one address at once: 60 codes and flows in all (3 of them already sent)', async () => {
    // The address already had 3 codes in the test before: 57 more.
    assert.equal(await fireAcross(100, (i) => `0887${String(710000 + i)}`, 2), 57);
    assert.equal(sent().length, 60);
    const db = await openDb(pg!.url);
    try {
      assert.equal(Number((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM guest_flows'))!.n), 60);
    } finally {
      await db.close();
    }
  });
});
