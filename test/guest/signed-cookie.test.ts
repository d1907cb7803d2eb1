// The guest screens read their signed cookies (the flow's, the destination's) through
// portal/guest/signed-cookie.ts, one HMAC instead of Keygrip's three. What it accepts and
// refuses must be what kctx.cookies.get(name, { signed: true }) accepts and refuses: the
// same value, the same refusals, the same clearing of a bad signature, for cookies a real
// Koa app signed and for forged, altered, quoted, repeated and foreign ones.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { signedCookie } from '../../portal/guest/signed-cookie.ts';

function app(keys: string[]): Koa {
  const a = new Koa({ keys });
  a.use((kctx) => {
    if (kctx.path === '/set') {
      kctx.cookies.set('foyer_flow', kctx.query.v as string, { signed: true });
      kctx.body = 'ok';
      return;
    }
    // Each reader in a fresh context of its own, so one's clearing is not seen by the other.
    kctx.body = {
      value:
        kctx.path === '/ours' ? signedCookie(kctx, 'foyer_flow') : kctx.cookies.get('foyer_flow', { signed: true }),
    };
  });
  return a;
}

async function listen(a: Koa): Promise<{ url: string; server: Server }> {
  const server = createServer(a.callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe("a guest's signed cookie, read as Koa reads it", function () {
  let main: { url: string; server: Server };
  let other: { url: string; server: Server };
  before(async () => {
    main = await listen(app(['a'.repeat(64)]));
    other = await listen(app(['b'.repeat(64)]));
  });
  after(() => {
    main.server.close();
    other.server.close();
  });

  /** name=value pairs as a browser's Cookie header, from a Set-Cookie list. */
  const jar = (setCookies: string[]) => setCookies.map((c) => c.split(';')[0]);
  async function signedBy(base: string, value: string): Promise<{ v: string; sig: string }> {
    const r = await fetch(`${base}/set?v=${encodeURIComponent(value)}`);
    const [v, sig] = jar(r.headers.getSetCookie());
    return { v: v.slice('foyer_flow='.length), sig: sig.slice('foyer_flow.sig='.length) };
  }
  async function both(cookie: string | undefined) {
    const get = async (path: string) => {
      const r = await fetch(`${main.url}${path}`, { headers: cookie === undefined ? {} : { cookie } });
      return { body: await r.json(), setCookie: r.headers.getSetCookie() };
    };
    return { ours: await get('/ours'), koa: await get('/koa') };
  }

  it('agrees on signed, altered, forged, quoted, repeated and missing cookies', async function () {
    const flow = '0b7c1f6e-2a4b-4c5d-9e8f-0123456789ab.AbCdEfGhIjKlMnOpQrSt_-12';
    const good = await signedBy(main.url, flow);
    const foreign = await signedBy(other.url, flow);
    const odd = await signedBy(main.url, 'a value with spaces and é');
    const cases: Array<string | undefined> = [
      undefined,
      '',
      `foyer_flow=${good.v}; foyer_flow.sig=${good.sig}`,
      `foyer_flow.sig=${good.sig}; foyer_flow=${good.v}`,
      `other=1;foyer_flow=${good.v};foyer_flow.sig=${good.sig}`,
      `foyer_flow="${good.v}"; foyer_flow.sig="${good.sig}"`,
      `foyer_flow=${good.v}`,
      `foyer_flow=${good.v}; foyer_flow.sig=`,
      `foyer_flow=${good.v}x; foyer_flow.sig=${good.sig}`,
      `foyer_flow=${good.v}; foyer_flow.sig=${good.sig.slice(0, -1)}`,
      `foyer_flow=${good.v}; foyer_flow.sig=${good.sig}=`,
      `foyer_flow=${good.v}; foyer_flow.sig=${good.sig.replace(/-/g, '+').replace(/_/g, '/')}`,
      `foyer_flow=${foreign.v}; foyer_flow.sig=${foreign.sig}`,
      `foyer_flow=${good.v}; foyer_flow.sig=é${good.sig.slice(1)}`,
      `foyer_flow=evil; foyer_flow=${good.v}; foyer_flow.sig=${good.sig}`,
      `foyer_flow=${good.v}; foyer_flow.sig=${good.sig}; foyer_flow.sig=x`,
      `xfoyer_flow=${good.v}; foyer_flow.sig=${good.sig}`,
      `foyer_flow=${odd.v}; foyer_flow.sig=${odd.sig}`,
    ];
    let accepted = 0;
    for (const c of cases) {
      const { ours, koa } = await both(c);
      assert.deepEqual(ours, koa, String(c));
      if (ours.body.value !== undefined) accepted++;
    }
    // The comparison means something only if both kinds of answer occur.
    assert.ok(accepted >= 3 && accepted < cases.length - 5, `${accepted} of ${cases.length} accepted`);
  });
});
