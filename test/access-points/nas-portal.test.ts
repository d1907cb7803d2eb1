// Issue 5: what a NAS needs beyond RADIUS (stored, secrets encrypted, set from the CLI), how
// the guest's NAS is picked, and the rule that a guest's credentials never go to a host
// the venue did not configure.
import assert from 'node:assert/strict';
import { testContext, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';
import { foyer } from '../support/cli.ts';
import { Browser, formFields, lastCode, makeVenue } from '../guest/helpers.ts';
import { addNas, findNasById, listNas, updateNasPortal, type NasRecord } from '../../portal/access/nas-clients.ts';
import { adapterContextFor, checkLoginHost, pickNas } from '../../portal/access-points/nas-for-handoff.ts';
import { loginUrlAllowed, normaliseLoginHost } from '../../portal/access-points/login-hosts.ts';
import { HandoffError, type Handoff } from '../../portal/access-points/handoff.ts';
import { FoyerError } from '../../portal/errors.ts';

const enc = encodeURIComponent;
const handoff = (over: Partial<Handoff>): Handoff => ({ vendor: 'coovachilli', extra: {}, ...over });

describe('access points: NAS portal settings and login hosts', function () {
  this.timeout(30_000);
  let ctx: TestContext;
  let srv: TestServer;
  let venueId: string;

  before(async () => {
    ctx = await testContext();
    srv = await serve(ctx);
    venueId = (await makeVenue(ctx, 'cafe')).id;
    await makeVenue(ctx, 'bare');
  });
  after(async () => {
    await srv?.close();
    await ctx?.cleanup();
  });

  it('stores the settings, secrets encrypted; update sets, clears and keeps', async () => {
    const n = await addNas(ctx.db, ctx.cipher, {
      name: 'lobby',
      address: '192.0.2.10',
      vendor: 'unifi',
      venueId,
      nasIdentifier: 'lobby-ap',
      uamSecret: 'uam-s3cret',
      authMethod: 'pap',
      controllerUrl: 'https://unifi.example:8443',
      controllerUser: 'foyer',
      controllerPassword: 'ctl-pa55',
      controllerSite: 'lobby',
      loginHosts: ['10.1.0.1:3990', 'HTTPS://Login.Example/x', '10.1.0.1:3990'],
    });
    assert.deepEqual(n.portal, {
      nasIdentifier: 'lobby-ap',
      uamSecret: 'uam-s3cret',
      authMethod: 'pap',
      controller: {
        url: 'https://unifi.example:8443',
        username: 'foyer',
        password: 'ctl-pa55',
        site: 'lobby',
        ca: undefined,
        insecureTls: false,
      },
      loginHosts: ['10.1.0.1:3990', 'login.example'],
      authmon: false,
    });
    const row = await ctx.db.get<Record<string, string>>('SELECT * FROM nas_clients WHERE id = ?', [n.id]);
    assert.ok(
      row && !JSON.stringify(row).includes('uam-s3cret') && !JSON.stringify(row).includes('ctl-pa55'),
      'secrets are not stored in clear',
    );

    const u = await updateNasPortal(ctx.db, ctx.cipher, 'lobby', {
      uamSecret: null,
      loginHosts: ['*.network-auth.com'],
      authmon: true,
    });
    assert.equal(u?.portal.uamSecret, undefined);
    assert.deepEqual(u?.portal.loginHosts, ['*.network-auth.com']);
    assert.equal(u?.portal.controller?.password, 'ctl-pa55', 'absent keys stay');
    assert.equal(u?.portal.authmon, true);
    assert.equal(await updateNasPortal(ctx.db, ctx.cipher, 'nowhere', {}), undefined);
    await assert.rejects(
      updateNasPortal(ctx.db, ctx.cipher, 'lobby', { loginHosts: ['not a host!'] }),
      (e: FoyerError) => e.status === 400 && /not a host/.test(e.message),
    );
    await assert.rejects(updateNasPortal(ctx.db, ctx.cipher, 'lobby', { controllerUrl: 'ftp://x' }), FoyerError);
    await ctx.db.run('DELETE FROM nas_clients WHERE id = ?', [n.id]);
  });

  it("login hosts: host, host:port, *.domain, the NAS's own single address, vendor clouds; nothing else", () => {
    assert.equal(normaliseLoginHost('10.1.0.1:3990'), '10.1.0.1:3990');
    assert.equal(normaliseLoginHost('fe80::1'), '[fe80::1]');
    assert.equal(normaliseLoginHost('*.com'), undefined);
    assert.equal(normaliseLoginHost('javascript:alert(1)'), undefined);
    const nas = {
      vendor: 'coovachilli',
      address: '192.0.2.0/24',
      loginHosts: ['10.1.0.1:3990', 'gw.example', '*.hotspot.example'],
    };
    for (const ok of ['http://10.1.0.1:3990/logon', 'https://gw.example:8443/login', 'http://a.hotspot.example/'])
      assert.ok(loginUrlAllowed(ok, nas), ok);
    for (const bad of [
      'http://10.1.0.1:80/logon',
      'http://evil.example/',
      'http://hotspot.example.evil.example/',
      'http://gw.example.evil/',
      'http://192.0.3.1/',
      'http://evilhotspot.example/',
      'http://192.0.2.77/login',
      'http://192.0.2.0/',
    ])
      assert.ok(!loginUrlAllowed(bad, nas), bad);
    assert.ok(
      loginUrlAllowed('http://192.0.2.7/login', { ...nas, address: '192.0.2.7' }),
      'a NAS registered by one address',
    );
    assert.ok(loginUrlAllowed('http://192.0.2.7/login', { ...nas, address: '192.0.2.7/32' }), 'a /32 is one address');
    assert.ok(
      loginUrlAllowed('https://n42.network-auth.com/splash/login', {
        vendor: 'meraki',
        address: '192.0.2.1',
        loginHosts: [],
      }),
    );
    assert.ok(
      !loginUrlAllowed('https://n42.network-auth.com/splash/login', {
        vendor: 'cisco',
        address: '192.0.2.1',
        loginHosts: [],
      }),
    );
  });

  it('picks the NAS by the identifier the redirect carries, else the only one of its vendor, else none', () => {
    const nas = (name: string, vendor: string, portal: Partial<NasRecord['portal']> = {}) =>
      ({ name, vendor, address: '192.0.2.1', portal: { loginHosts: [], authmon: false, ...portal } }) as NasRecord;
    const a = nas('a', 'mikrotik', { nasIdentifier: 'Router-A' });
    const b = nas('b', 'mikrotik', { nasIdentifier: 'hotspot2' });
    const c = nas('c', 'coovachilli');
    const list = [a, b, c];
    assert.equal(pickNas(list, handoff({ vendor: 'mikrotik', nasId: 'router-a' })), a);
    assert.equal(pickNas(list, handoff({ vendor: 'mikrotik', extra: { 'server-name': 'hotspot2' } })), b);
    assert.equal(
      pickNas(list, handoff({ vendor: 'mikrotik', nasId: 'other' })),
      undefined,
      'two MikroTiks and no name: none',
    );
    assert.equal(pickNas(list, handoff({ vendor: 'coovachilli', nasId: 'whatever' })), c, 'the only CoovaChilli');
    const m = nas('m', 'meraki', { nasIdentifier: '00-18-0A-11-22-33' });
    assert.equal(
      pickNas([m], handoff({ vendor: 'meraki', apMac: '00:18:0a:11:22:33' })),
      m,
      'MACs compared in one form',
    );
    const ctxFor = adapterContextFor(a, {
      durationMinutes: 90,
      idleTimeoutMinutes: 15,
      upKbps: 1,
      downKbps: 2,
      dataCapMb: 3,
      devicesPerGuest: 1,
      rememberDays: 0,
      interimMinutes: 5,
    });
    assert.deepEqual(ctxFor.grant, { minutes: 90, upKbps: 1, downKbps: 2, megabytes: 3 });
    assert.equal(ctxFor.controller, undefined);
  });

  it('a Handoff whose login host the venue did not configure is refused; a venue without NAS is let through', () => {
    const n = {
      name: 'gw',
      vendor: 'generic',
      address: '192.0.2.1',
      portal: { loginHosts: ['10.0.0.1'], authmon: false },
    } as NasRecord;
    assert.throws(
      () => checkLoginHost(handoff({ vendor: 'generic', loginUrl: 'http://evil.example/' }), n, [n]),
      HandoffError,
    );
    assert.throws(
      () => checkLoginHost(handoff({ vendor: 'generic', loginUrl: 'http://evil.example/' }), undefined, [n]),
      HandoffError,
    );
    checkLoginHost(handoff({ vendor: 'generic', loginUrl: 'http://10.0.0.1/login' }), undefined, [n]);
    checkLoginHost(handoff({ vendor: 'generic', loginUrl: 'http://evil.example/' }), undefined, []);
    // Ruckus without a configured NBI URL would post the NBI password to the redirect's nbiIP.
    const sz = {
      name: 'sz',
      vendor: 'ruckus',
      address: '192.0.2.1',
      portal: { loginHosts: [], authmon: false, controller: { password: 'nbi', insecureTls: false } },
    } as unknown as NasRecord;
    assert.throws(
      () => checkLoginHost(handoff({ vendor: 'ruckus', extra: { nbiIP: 'evil.example' } }), sz, [sz]),
      HandoffError,
    );
    checkLoginHost(handoff({ vendor: 'ruckus', extra: { nbiIP: '192.0.2.1' } }), sz, [sz]);
  });

  describe('a crafted redirect over HTTP', () => {
    let gw: NasRecord;
    before(async () => {
      gw = await addNas(ctx.db, ctx.cipher, {
        name: 'cafe-gw',
        address: '192.0.2.50',
        vendor: 'generic',
        venueId,
        loginHosts: ['10.0.0.1'],
      });
      await addNas(ctx.db, ctx.cipher, {
        name: 'cafe-mt',
        address: '192.0.2.51',
        vendor: 'mikrotik',
        venueId,
        nasIdentifier: 'cafe-mt',
        loginHosts: ['10.5.50.1'],
      });
    });

    for (const [vendor, qs] of [
      ['generic', `mac=02:00:00:00:00:31&ip=10.0.0.31&login_url=${enc('http://evil.example/')}`],
      [
        'coovachilli',
        'res=notyet&uamip=evil.example&uamport=3990&challenge=00112233445566778899aabbccddeeff&mac=02-00-00-00-00-32&nasid=cafe-gw',
      ],
      ['mikrotik', `mac=02:00:00:00:00:33&identity=cafe-mt&link-login-only=${enc('http://evil.example/login')}`],
    ] as const) {
      it(`${vendor} with login address evil.example: a 400 page for the guest, a warning for the admin, no sign-up`, async () => {
        const warned: unknown[] = [];
        const warn = ctx.log.warn.bind(ctx.log);
        ctx.log.warn = ((obj: unknown, msg?: string) => (
          warned.push([obj, msg]),
          warn(obj as object, msg)
        )) as typeof ctx.log.warn;
        try {
          const res = await new Browser(srv.url).get(`/p/cafe?${qs}`);
          assert.equal(res.status, 400);
          assert.match(res.html, /sign-in link|address we cannot use/);
          assert.doesNotMatch(res.html, /evil\.example/);
          assert.ok(
            warned.some(
              (w) => JSON.stringify(w).includes('evil.example') && JSON.stringify(w).includes('NAS redirect refused'),
            ),
            JSON.stringify(warned),
          );
        } finally {
          ctx.log.warn = warn;
        }
      });
    }

    it('a login host removed after the redirect: the hand-back is refused and carries no credentials', async () => {
      const b = new Browser(srv.url);
      let res = await b.get(`/p/cafe?mac=02:00:00:00:00:34&ip=10.0.0.34&login_url=${enc('http://10.0.0.1/login')}`);
      assert.equal(res.status, 200);
      res = await b.post('/p/cafe/start', {
        ...formFields(res.html, '/start'),
        phone: '0888400001',
        consent_terms: 'yes',
      });
      res = await b.get(res.location!);
      await updateNasPortal(ctx.db, ctx.cipher, gw.id, { loginHosts: [] });
      res = await b.post('/p/cafe/code', { ...formFields(res.html, '/code'), code: lastCode(ctx) });
      assert.equal(res.status, 400);
      assert.equal(res.location, null);
      const grant = await ctx.db.get<{ username: string }>(
        'SELECT g.username FROM grants g JOIN subjects s ON s.id = g.subject_id ORDER BY g.created_at DESC LIMIT 1',
      );
      assert.ok(grant && !res.html.includes(grant.username), 'no credentials in the answer');
      await updateNasPortal(ctx.db, ctx.cipher, gw.id, { loginHosts: ['10.0.0.1'] });
    });

    // A NAS registered by address range: any machine a guest can reach in that range (another
    // guest's laptop on the same network) would otherwise receive the next guest's credentials.
    it('a NAS registered by address range: a login address elsewhere in the range is refused, only its login host is taken', async () => {
      const range = await makeVenue(ctx, 'range');
      await addNas(ctx.db, ctx.cipher, {
        name: 'range-gw',
        address: '10.7.0.0/24',
        vendor: 'coovachilli',
        venueId: range.id,
        nasIdentifier: 'range-gw',
        loginHosts: ['10.7.0.1:3990'],
      });
      const chilli = (uamip: string, mac: string) =>
        `res=notyet&uamip=${uamip}&uamport=3990&challenge=00112233445566778899aabbccddeeff&mac=${mac}&nasid=range-gw`;
      const crafted = await new Browser(srv.url).get(`/p/range?${chilli('10.7.0.66', '02-00-00-00-00-36')}`);
      assert.equal(crafted.status, 400, "a host of the range that is not the NAS's login host");
      assert.match(crafted.html, /sign-in link|address we cannot use/);
      assert.equal(
        (await new Browser(srv.url).get(`/p/range?${chilli('10.7.0.1', '02-00-00-00-00-37')}`)).status,
        200,
        'the configured login host',
      );
      // Its own RADIUS address is a range, not a host: without login hosts nothing in it is taken.
      await addNas(ctx.db, ctx.cipher, {
        name: 'range-bare',
        address: '10.8.0.0/24',
        vendor: 'coovachilli',
        venueId: (await makeVenue(ctx, 'range-bare')).id,
        nasIdentifier: 'range-bare',
      });
      assert.equal(
        (
          await new Browser(srv.url).get(
            `/p/range-bare?${chilli('10.8.0.1', '02-00-00-00-00-38').replace('range-gw', 'range-bare')}`,
          )
        ).status,
        400,
      );
      // The same for the vendors whose redirect names a login URL outright.
      const mt = await makeVenue(ctx, 'range-mt');
      await addNas(ctx.db, ctx.cipher, {
        name: 'range-mt',
        address: '10.9.0.0/16',
        vendor: 'mikrotik',
        venueId: mt.id,
        nasIdentifier: 'range-mt',
        loginHosts: ['10.9.0.1'],
      });
      const link = (host: string, mac: string) =>
        `/p/range-mt?mac=${mac}&identity=range-mt&link-login-only=${enc(`http://${host}/login`)}`;
      assert.equal(
        (await new Browser(srv.url).get(link('10.9.44.2', '02:00:00:00:00:39'))).status,
        400,
        'MikroTik: another host of the range',
      );
      assert.equal(
        (await new Browser(srv.url).get(link('10.9.0.1', '02:00:00:00:00:3a'))).status,
        200,
        'MikroTik: its login host',
      );
      const gen = await makeVenue(ctx, 'range-gen');
      await addNas(ctx.db, ctx.cipher, {
        name: 'range-gen',
        address: 'fd00:7::/64',
        vendor: 'generic',
        venueId: gen.id,
        loginHosts: ['[fd00:7::1]'],
      });
      const login = (host: string, mac: string) => `/p/range-gen?mac=${mac}&login_url=${enc(`http://${host}/login`)}`;
      assert.equal(
        (await new Browser(srv.url).get(login('[fd00:7::99]', '02:00:00:00:00:3b'))).status,
        400,
        'generic, IPv6 range: another host of the range',
      );
      assert.equal(
        (await new Browser(srv.url).get(login('[fd00:7::1]', '02:00:00:00:00:3c'))).status,
        200,
        'generic, IPv6 range: its login host',
      );
    });

    it('a venue with no NAS at all hands back as the redirect says (nothing could use the credentials)', async () => {
      const res = await new Browser(srv.url).get(
        `/p/bare?mac=02:00:00:00:00:35&login_url=${enc('http://10.9.9.9/login')}`,
      );
      assert.equal(res.status, 200);
    });
  });

  it('nas add / set / list from the CLI', async () => {
    // The same key as testContext's, or the CLI's rows would not decrypt here.
    const env = {
      DATA_DIR: ctx.dir,
      DATABASE_URL: ctx.config.databaseUrl,
      SECRET_KEY: 'test-secret-key-0123456789abcdef0123456789',
    };
    const add = await foyer(
      [
        'nas',
        'add',
        '--name',
        'cli-chilli',
        '--ip',
        '192.0.2.60',
        '--vendor',
        'coovachilli',
        '--venue',
        'cafe',
        '--secret',
        'radius-secret-1',
        '--nas-id',
        'chilli-1',
        '--uam-secret',
        'uam-1',
        '--auth',
        'pap',
        '--login-host',
        '10.1.0.1:3990',
        '--login-host',
        'uam.example,10.1.0.2',
      ],
      env,
    );
    assert.equal(add.code, 0, add.stderr);
    const n = (await listNas(ctx.db, ctx.cipher)).find((x) => x.name === 'cli-chilli')!;
    assert.deepEqual(
      [n.portal.nasIdentifier, n.portal.uamSecret, n.portal.authMethod, n.portal.loginHosts],
      ['chilli-1', 'uam-1', 'pap', ['10.1.0.1:3990', 'uam.example', '10.1.0.2']],
    );
    const set = await foyer(
      [
        'nas',
        'set',
        'cli-chilli',
        '--clear',
        'uam-secret',
        '--controller-url',
        'https://ctl.example',
        '--controller-password',
        'p',
      ],
      env,
    );
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /nas updated: cli-chilli/);
    const after = (await findNasById(ctx.db, ctx.cipher, n.id))!;
    assert.equal(after.portal.uamSecret, undefined);
    assert.equal(after.portal.controller?.url, 'https://ctl.example');
    const list = await foyer(['nas', 'list'], env);
    assert.match(
      list.stdout,
      /cli-chilli\t192\.0\.2\.60\tcoovachilli\t.*nas-id chilli-1\tauth pap\tcontroller https:\/\/ctl\.example password set/,
    );
    assert.doesNotMatch(list.stdout, /\bp\b.*uam-1|uam-1/);
    const bad = await foyer(['nas', 'set', 'cli-chilli', '--auth', 'eap'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--auth must be chap or pap/);
  });
});
