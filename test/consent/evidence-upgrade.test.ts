// Issue 16 row 2: "evidence re-renders the page byte for byte from the stored version"
// must survive an upgrade that changes the template files. A guest signs up; then an
// upgraded install (a copy of portal/, radius/ and templates/ with guest/start.njk edited, as a
// new release would ship) runs `foyer consents evidence` in its own process against the
// same database: it must print the bytes the guest was served, not today's page.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { eachBackend } from '../support/backends.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';
import { Browser, ENTRY, NUMBER, formFields, lastCode, makeVenue } from '../guest/helpers.ts';
import type { Venue } from '../../portal/venues/venues.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const MARK = 'data-upgraded="after-the-sign-up"';

/** A copy of the install whose screen 1 template was changed, as an upgrade changes it. */
function upgradedInstall(): string {
  const dir = mkdtempSync(join(tmpdir(), 'foyer-upgraded-'));
  for (const part of ['portal', 'radius', 'templates', 'package.json', 'tsconfig.json'])
    cpSync(join(ROOT, part), join(dir, part), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  const start = join(dir, 'templates/guest/start.njk');
  const src = readFileSync(start, 'utf8');
  assert.ok(src.includes('<h1>'), 'start.njk has the heading the edit changes');
  writeFileSync(start, src.replace('<h1>', `<h1 ${MARK}>`));
  return dir;
}

function evidenceFrom(install: string, ctx: TestContext, eventId: string): Promise<string> {
  return new Promise((res, rej) =>
    execFile(
      process.execPath,
      [join(install, 'portal/foyer.mjs'), 'consents', 'evidence', eventId],
      {
        cwd: install,
        maxBuffer: 4 << 20,
        env: {
          ...process.env,
          LOG_LEVEL: 'silent',
          DATABASE_URL: ctx.config.databaseUrl,
          SECRET_KEY: ctx.config.SECRET_KEY!,
          DATA_DIR: ctx.dir,
        },
      },
      (err, stdout, stderr) => (err ? rej(new Error(`${err.message}\n${stderr}`)) : res(stdout)),
    ),
  );
}

eachBackend('evidence after an upgrade changes the templates', (backend) => {
  let ctx: TestContext;
  let srv: TestServer;
  let venue: Venue;
  let install: string | undefined;
  beforeEach(async () => {
    ctx = await testContext({ backend });
    venue = await makeVenue(ctx);
    srv = await serve(ctx);
  });
  afterEach(async () => {
    await srv.close();
    await ctx.cleanup();
    if (install) rmSync(install, { recursive: true, force: true });
  });

  it('re-renders screen 1 byte for byte from the stored version, not from the files on disk', async function () {
    this.timeout(60_000);
    const b = new Browser(srv.url);
    const first = await b.get(`/p/cafe${ENTRY}`);
    assert.equal(first.status, 200);
    const started = await b.post('/p/cafe/start', {
      ...formFields(first.html, '/start'),
      phone: NUMBER,
      consent_terms: 'yes',
    });
    assert.equal(started.status, 303, started.html);
    const s2 = await b.get(started.location!);
    const done = await b.post('/p/cafe/code', { ...formFields(s2.html, '/code'), code: lastCode(ctx) });
    assert.equal(done.status, 303, done.html);
    const event = (await ctx.db.get<{ id: string; template_version_id: string }>(
      `SELECT id, template_version_id FROM consent_events WHERE purpose = 'terms'`,
    ))!;

    install = upgradedInstall();
    // The upgrade really changes the page: the upgraded code builds another version today.
    const upgraded = (await import(
      pathToFileURL(join(install, 'portal/consent/consent-page.ts')).href
    )) as typeof import('../../portal/consent/consent-page.ts');
    const wiring = (await import(
      pathToFileURL(join(install, 'portal/context.ts')).href
    )) as typeof import('../../portal/context.ts');
    const today = new upgraded.ConsentPages(
      ctx.db,
      wiring.consentPageSources(ctx.keys, join(install, 'templates')),
    ).buildContent(venue, 'en');
    assert.match(today.templates['guest/start.njk'], new RegExp(MARK));

    const evidence = await evidenceFrom(install, ctx, event.id);
    assert.doesNotMatch(evidence, new RegExp(MARK), 'the evidence was rendered from the upgraded files');
    assert.equal(evidence, first.html);
  });
});
