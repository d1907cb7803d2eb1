// Branding and wording: the draft, the refusals that keep consent valid, logos checked
// by content, preview, publish, the version list and the side-by-side comparison.
import assert from 'node:assert/strict';
import { eachBackend } from '../support/backends.ts';
import { adminWorld, brandingForm, EMAILS, type AdminWorld } from './setup.ts';
import type { AdminClient } from './client.ts';
import { findVenueBySlug } from '../../portal/venues/venues.ts';
import { listVersions } from '../../portal/venues/publish.ts';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');

async function upload(c: AdminClient, path: string, file: Buffer, name: string, type: string, csrf = c.token) {
  const form = new FormData();
  form.append('_csrf', csrf);
  form.append('logo', new Blob([new Uint8Array(file)], { type }), name);
  const res = await fetch(c.base + path, {
    method: 'POST',
    body: form,
    redirect: 'manual',
    headers: { cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; '), accept: 'text/html' },
  });
  return { status: res.status, html: await res.text() };
}

eachBackend('admin: branding, wording, preview, publish and versions', (backend) => {
  let w: AdminWorld;
  let op: AdminClient;
  before(async () => {
    w = await adminWorld({}, backend);
    op = await w.as('operator-a');
  });
  after(async () => w?.close());

  it('refuses a pre-ticked box, an offer required for access and SMS wording without STOP, with the reason by the field', async () => {
    const path = `/admin/venues/${w.a.slug}/branding`;
    let res = await op.post(path, await brandingForm(op, w.a.slug, { 'offers.sms': 'preticked' }));
    assert.equal(res.status, 400);
    assert.match(res.html, /id="offers-sms-error">A consent box may not be ticked in advance/);
    res = await op.post(path, await brandingForm(op, w.a.slug, { 'offers.email': 'required' }));
    assert.equal(res.status, 400);
    assert.match(res.html, /id="offers-email-error">An offer may not be a condition of access/);
    res = await op.post(path, await brandingForm(op, w.a.slug, { 'wording.bg.sms': 'Искам SMS оферти от кафенето.' }));
    assert.equal(res.status, 400);
    assert.match(res.html, /id="wording-bg-sms-error">[^<]*STOP/);
    assert.match(res.html, /aria-invalid="true"/);
    res = await op.post(
      path,
      await brandingForm(op, w.a.slug, { 'wording.en.smsConfirmation': 'Thanks for joining!' }),
    );
    assert.equal(res.status, 400);
    res = await op.post(path, await brandingForm(op, w.a.slug, { 'branding.primaryColor': 'red' }));
    assert.equal(res.status, 400);
    assert.match(res.html, /id="branding-primaryColor-error"/);
    // Nothing of it reached the draft.
    assert.equal(await w.ctx.db.get('SELECT * FROM venue_drafts'), undefined);
  });

  it('saves a draft guests do not see, previews it, publishes it as a new version', async () => {
    const path = `/admin/venues/${w.a.slug}/branding`;
    const res = await op.post(
      path,
      await brandingForm(op, w.a.slug, {
        'wording.en.welcome': 'Welcome to the best coffee in town',
        'wording.bg.sms': 'Искам SMS оферти. Отговорете СТОП за отказ.',
        'wording.en.sms': 'Send me offers by SMS. Reply STOP to opt out.',
        'branding.primaryColor': '#aa0000',
        then: 'preview',
      }),
    );
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), `/admin/venues/${w.a.slug}/preview`);
    // Guests still get the published settings.
    const live = (await findVenueBySlug(w.ctx.db, w.a.slug))!;
    assert.equal(live.settings.wording.en?.welcome, undefined);
    const preview = await op.get(`/admin/venues/${w.a.slug}/preview?locale=en`);
    assert.equal(preview.status, 200);
    assert.match(preview.html, /Welcome to the best coffee in town/);
    assert.match(preview.html, /Reply STOP to opt out/);
    const css = await op.get(`/admin/venues/${w.a.slug}/preview.css`);
    assert.match(css.html, /#aa0000/);
    assert.doesNotMatch(preview.headers.get('content-security-policy')!, /unsafe-inline/);
    const bg = await op.get(`/admin/venues/${w.a.slug}/preview?locale=bg`);
    assert.match(bg.html, /Отговорете СТОП/);

    const pub = await op.post(`/admin/venues/${w.a.slug}/publish`, { confirm: 'yes' });
    assert.equal(pub.status, 303);
    const after = (await findVenueBySlug(w.ctx.db, w.a.slug))!;
    assert.equal(after.settings.wording.en?.welcome, 'Welcome to the best coffee in town');
    assert.equal(after.settings.branding.primaryColor, '#aa0000');
    const versions = await listVersions(w.ctx.db, w.a.id);
    assert.deepEqual(
      versions.map((v) => [v.number, v.publishedBy]),
      [
        [2, EMAILS['operator-a']],
        [1, 'initial settings'],
      ],
    );
    assert.equal(await w.ctx.db.get('SELECT * FROM venue_drafts'), undefined, 'the draft is now the published version');
    const list = await op.get(`/admin/venues/${w.a.slug}/versions`);
    assert.match(list.html, /op-a@foyer\.test/);
  });

  it('compares two versions side by side with removed and added words marked', async () => {
    await op.post(
      `/admin/venues/${w.a.slug}/branding`,
      await brandingForm(op, w.a.slug, { 'wording.en.welcome': 'Welcome to the finest coffee in town & <b>more</b>' }),
    );
    await op.post(`/admin/venues/${w.a.slug}/publish`, { confirm: 'yes' });
    const res = await op.get(`/admin/venues/${w.a.slug}/versions/compare?a=2&b=3`);
    assert.equal(res.status, 200);
    assert.match(res.html, /<del>best<\/del>/);
    assert.match(res.html, /<ins>finest<\/ins>/);
    assert.match(
      res.html,
      /<ins>&amp; &lt;b&gt;more&lt;\/b&gt;<\/ins>|<ins>[^<]*&lt;b&gt;more&lt;\/b&gt;<\/ins>/,
      'wording is escaped, never markup',
    );
    assert.match(res.html, /1 fields changed/);
    const all = await op.get(`/admin/venues/${w.a.slug}/versions/compare?a=1&b=3&all=1`);
    assert.match(all.html, /session\.durationMinutes/);
    // Issue 19.9: fields by the labels of the form that edits them, colours as swatches.
    assert.match(all.html, /<th scope="row" class="path">(Main colour|Основен цвят)<\/th>/);
    assert.match(all.html, /<th scope="row" class="path">(Welcome text \(English\)|[^<]+ \(English\))<\/th>/);
    assert.doesNotMatch(all.html, />branding\.primaryColor</);
    assert.doesNotMatch(all.html, />wording\.en\.welcome</);
    assert.match(
      all.html,
      /<img class="swatch" src="data:image\/svg\+xml,[^"]*%23aa0000[^"]*" alt="" width="24" height="24"> #aa0000/,
    );
    assert.equal((await op.get(`/admin/venues/${w.a.slug}/versions/compare?a=1&b=99`)).status, 404);
    assert.equal((await op.get(`/admin/venues/${w.a.slug}/versions/compare?a=x`)).status, 400);
  });

  it('refuses to publish a draft that would make consent invalid', async () => {
    // A draft saved before the rules existed (or edited in the database) is still checked at publish.
    const draft = await w.ctx.db.get<{ settings: string }>('SELECT settings FROM venues WHERE id = ?', [w.a.id]);
    const content = JSON.parse(draft!.settings);
    content.wording.bg = { sms: 'Оферти по SMS без начин за отказ' };
    await w.ctx.db.run(
      'INSERT INTO venue_drafts (venue_id, name, settings, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)',
      [
        w.a.id,
        w.a.name,
        JSON.stringify({
          branding: content.branding,
          wording: content.wording,
          fields: content.fields,
          offers: content.offers,
          contact: content.contact,
        }),
        Date.now(),
        'test',
      ],
    );
    const res = await op.post(`/admin/venues/${w.a.slug}/publish`, {}, { headers: { accept: 'application/json' } });
    assert.equal(res.status, 400);
    assert.equal(JSON.parse(res.html).error.code, 'consent_sms_no_stop');
    assert.equal((await listVersions(w.ctx.db, w.a.id)).length, 3);
    await op.post(`/admin/venues/${w.a.slug}/branding/discard`, {});
  });

  it('accepts a PNG logo by its content, refuses SVG and oversized files, and serves it', async () => {
    const path = `/admin/venues/${w.a.slug}/branding/logo`;
    const svg = await upload(op, path, SVG, 'logo.png', 'image/png');
    assert.equal(svg.status, 400);
    // Issue 19.10: the refusal is by the file field on the branding page, the form intact.
    assert.match(
      svg.html,
      /<p class="field-error" id="logo-file-error" role="alert">The logo must be a PNG, JPEG or WebP image/,
    );
    assert.match(svg.html, /aria-invalid="true"/);
    assert.match(svg.html, /name="wording\.en\.welcome"/);
    const big = await upload(op, path, Buffer.concat([PNG, Buffer.alloc(300 * 1024)]), 'big.png', 'image/png');
    assert.ok(big.status === 400 || big.status === 413, String(big.status));
    assert.equal((await upload(op, path, PNG, 'logo.png', 'image/png', 'forged')).status, 403);
    const ok = await upload(op, path, PNG, 'logo.bin', 'application/octet-stream');
    assert.equal(ok.status, 303);
    const page = await op.get(`/admin/venues/${w.a.slug}/branding`);
    const src = /<img src="(\/logos\/[0-9a-f]{40}\.png)"/.exec(page.html)![1];
    const img = await fetch(w.srv.url + src);
    assert.equal(img.status, 200);
    assert.equal(img.headers.get('content-type'), 'image/png');
    assert.deepEqual(Buffer.from(await img.arrayBuffer()), PNG);
    assert.equal((await fetch(`${w.srv.url}/logos/${'0'.repeat(40)}.png`)).status, 404);
  });

  // The logo is a hidden field of the branding form: an operator can post any string there.
  it("refuses a logo setting that is not one of this venue's stored uploads", async () => {
    const path = `/admin/venues/${w.a.slug}/branding/logo`;
    assert.equal((await upload(op, path, PNG, 'logo.png', 'image/png')).status, 303);
    const stored = /<img src="(\/logos\/[0-9a-f]{40}\.png)"/.exec(
      (await op.get(`/admin/venues/${w.a.slug}/branding`)).html,
    )![1];
    // Venue B's own upload, another PNG.
    const opB = await w.as('operator-b');
    await opB.get(`/admin/venues/${w.b.slug}/branding`);
    assert.equal(
      (
        await upload(
          opB,
          `/admin/venues/${w.b.slug}/branding/logo`,
          Buffer.concat([PNG, Buffer.from('b')]),
          'b.png',
          'image/png',
        )
      ).status,
      303,
    );
    const other = /<img src="(\/logos\/[0-9a-f]{40}\.png)"/.exec(
      (await opB.get(`/admin/venues/${w.b.slug}/branding`)).html,
    )![1];
    assert.notEqual(other, stored);
    for (const bad of [
      'https://tracker.example/pixel.png',
      '//tracker.example/p.png',
      'javascript:alert(1)',
      '/p/bar-b',
      `/logos/${'0'.repeat(40)}.png`,
      other,
      `${stored}?x=1`,
    ]) {
      const res = await op.post(
        `/admin/venues/${w.a.slug}/branding`,
        await brandingForm(op, w.a.slug, { 'branding.logo': bad }),
      );
      assert.equal(res.status, 400, bad);
      assert.match(res.html, /id="branding-logo-error"|Upload the logo/, bad);
    }
    const draft = await w.ctx.db.get<{ settings: string }>('SELECT settings FROM venue_drafts WHERE venue_id = ?', [
      w.a.id,
    ]);
    assert.ok(draft && !/tracker|javascript|bar-b/.test(draft.settings), 'the draft keeps no refused value');
    assert.equal(
      (
        await op.post(
          `/admin/venues/${w.a.slug}/branding`,
          await brandingForm(op, w.a.slug, { 'branding.logo': stored }),
        )
      ).status,
      303,
      'the stored upload is kept',
    );
    assert.equal(
      (await op.post(`/admin/venues/${w.a.slug}/branding`, await brandingForm(op, w.a.slug, { 'branding.logo': '' })))
        .status,
      303,
      'no logo at all is fine',
    );
  });

  it('shows every text field of the form in both languages, labelled', async () => {
    const page = await op.get(`/admin/venues/${w.a.slug}/branding?lang=bg`);
    assert.match(page.html, /<html lang="bg">/);
    assert.match(page.html, /Текстове на английски/);
    for (const key of [
      'welcome',
      'terms',
      'sms',
      'email',
      'incentive',
      'termsPage',
      'privacyPage',
      'smsCode',
      'smsConfirmation',
      'smsHelp',
    ]) {
      for (const l of ['en', 'bg'])
        assert.match(page.html, new RegExp(`<label for="wording-${l}-${key}">`), `${l}.${key}`);
    }
  });

  it('shows the operator how many SMS each SMS text costs, per language (issue 19.4)', async () => {
    const path = `/admin/venues/${w.a.slug}/branding`;
    const hint = (html: string, id: string) => new RegExp(`id="${id}-hint">([^<]*)<`).exec(html)?.[1] ?? '';
    const page = await op.get(path);
    // The console may be in either language here (an earlier test switches it).
    assert.match(hint(page.html, 'wording-bg-smsCode'), /(As saved|Както е записан): 1 SMS \(\d+ (of the|от) 70 /);
    assert.match(hint(page.html, 'wording-en-smsCode'), /(As saved|Както е записан): 1 SMS \(\d+ (of the|от) 160 /);
    const own = 'Вашият код за безжичния интернет в нашето заведение е {{code}}. Валиден е {{minutes}} минути.';
    const saved = await op.post(path, await brandingForm(op, w.a.slug, { 'wording.bg.smsCode': own }));
    assert.equal(saved.status, 303, saved.html);
    assert.match(
      hint((await op.get(path)).html, 'wording-bg-smsCode'),
      /(As saved: 2 SMS, each one charged|Както е записан: 2 SMS, всеки се таксува) \(\d+ /,
    );
    await op.post(`${path}/discard`, {});
  });

  it('shows the standard wording in each empty box and a phone-sized preview beside the form (issue 19.10)', async () => {
    const page = await op.get(`/admin/venues/${w.a.slug}/branding`);
    const box = (name: string) =>
      new RegExp(`<textarea id="[^"]*" name="${name.replace(/\./g, '\\.')}"[^>]*placeholder="([^"]*)"`).exec(
        page.html,
      )?.[1];
    assert.match(box('wording.en.welcome') ?? '', /We will text you a code to connect/);
    assert.match(box('wording.bg.sms') ?? '', /може да ви изпраща оферти и новини с SMS/);
    assert.match(box('wording.en.smsCode') ?? '', /\{\{code\}\} is your Wi-Fi code for \{\{venue\}\}/);
    assert.ok(box('wording.en.incentive'), 'every box has a placeholder');
    assert.match(
      page.html,
      new RegExp(`<iframe src="/admin/venues/${w.a.slug}/preview" [^>]*width="360" height="740">`),
    );
    assert.match(page.headers.get('content-security-policy')!, /frame-src 'self'/);
    const preview = await op.get(`/admin/venues/${w.a.slug}/preview`);
    assert.match(preview.headers.get('content-security-policy')!, /frame-ancestors 'self'/);
    assert.equal(preview.headers.get('x-frame-options'), 'SAMEORIGIN');
    // Everything else still refuses to be framed.
    assert.match(page.headers.get('content-security-policy')!, /frame-ancestors 'none'/);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
  });
});
