// Koa's cookies sign and check with portal/http/cookie-signer.ts (one HMAC under a KeyObject)
// instead of Keygrip (three HMACs and a random draw per check). Two real Koa apps with the
// same key, one on Keygrip (keys as an array) and one on the signer, must set the same
// Set-Cookie headers and accept and refuse the same cookies: signed, altered, forged,
// quoted, repeated, signed under another key, with a non-ASCII signature, missing one.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { cookieSigner } from '../../portal/http/cookie-signer.ts';

const KEY = 'a'.repeat(64);

function app(keys: string[]): Koa {
  const a = new Koa({ keys });
  a.use((kctx) => {
    if (kctx.path === '/set') {
      kctx.cookies.set('foyer_flow', kctx.query.v as string, { signed: true, httpOnly: true, path: '/p/' });
      kctx.body = 'ok';
      return;
    }
    kctx.body = { value: kctx.cookies.get('foyer_flow', { signed: true }) ?? null };
  });
  return a;
}

async function listen(a: Koa): Promise<{ url: string; server: Server }> {
  const server = createServer(a.callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe("Koa's signed cookies under the one-HMAC signer, as under Keygrip", function () {
  const servers: Array<{ url: string; server: Server }> = [];
  let keygrip: string;
  let signer: string;
  let other: string;
  before(async () => {
    for (const keys of [[KEY], cookieSigner(KEY) as unknown as string[], ['b'.repeat(64)]])
      servers.push(await listen(app(keys)));
    [keygrip, signer, other] = servers.map((s) => s.url);
  });
  after(() => servers.forEach((s) => s.server.close()));

  async function set(base: string, value: string): Promise<string[]> {
    return (await fetch(`${base}/set?v=${encodeURIComponent(value)}`)).headers.getSetCookie();
  }
  const pair = (c: string) => c.split(';')[0].split('=').slice(1).join('=');

  it('sets the same cookie and signature', async function () {
    for (const v of ['0b7c1f6e-2a4b-4c5d-9e8f-0123456789ab.AbCdEfGhIjKlMnOpQrSt_-12', 'x', 'a value é'])
      assert.deepEqual(await set(signer, v), await set(keygrip, v), v);
  });

  it('accepts and refuses the same cookies, and clears a bad signature the same way', async function () {
    const flow = '0b7c1f6e-2a4b-4c5d-9e8f-0123456789ab.AbCdEfGhIjKlMnOpQrSt_-12';
    const [gv, gs] = (await set(keygrip, flow)).map(pair);
    const [fv, fs] = (await set(other, flow)).map(pair);
    const cases: Array<string | undefined> = [
      undefined,
      '',
      `foyer_flow=${gv}; foyer_flow.sig=${gs}`,
      `foyer_flow.sig=${gs}; foyer_flow=${gv}`,
      `other=1;foyer_flow=${gv};foyer_flow.sig=${gs}`,
      `foyer_flow="${gv}"; foyer_flow.sig="${gs}"`,
      `foyer_flow=${gv}`,
      `foyer_flow=${gv}; foyer_flow.sig=`,
      `foyer_flow=${gv}x; foyer_flow.sig=${gs}`,
      `foyer_flow=${gv}; foyer_flow.sig=${gs.slice(0, -1)}`,
      `foyer_flow=${gv}; foyer_flow.sig=${gs}=`,
      `foyer_flow=${gv}; foyer_flow.sig=${gs.replace(/-/g, '+').replace(/_/g, '/')}`,
      `foyer_flow=${fv}; foyer_flow.sig=${fs}`,
      `foyer_flow=${gv}; foyer_flow.sig=é${gs.slice(1)}`,
      `foyer_flow=evil; foyer_flow=${gv}; foyer_flow.sig=${gs}`,
      `foyer_flow=${gv}; foyer_flow.sig=${gs}; foyer_flow.sig=x`,
      `xfoyer_flow=${gv}; foyer_flow.sig=${gs}`,
    ];
    let accepted = 0;
    for (const c of cases) {
      const read = async (base: string) => {
        const r = await fetch(`${base}/get`, { headers: c === undefined ? {} : { cookie: c } });
        return { body: await r.json(), setCookie: r.headers.getSetCookie() };
      };
      const ours = await read(signer);
      assert.deepEqual(ours, await read(keygrip), String(c));
      if (ours.body.value !== null) accepted++;
    }
    // The comparison means something only if both kinds of answer occur.
    assert.ok(accepted >= 3 && accepted < cases.length - 5, `${accepted} of ${cases.length} accepted`);
  });
});
