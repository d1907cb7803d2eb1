// Every response's strict headers (portal/http/security-headers.ts), written straight onto
// the response with the default policy built once: each state a route can set (a hand-back's
// form-action and script, the admin preview's frames) still gets exactly its policy, and the
// next request without it gets the default again.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { securityHeaders } from '../../portal/http/security-headers.ts';

const BASE = "default-src 'none'; style-src 'self'; img-src 'self' data:;";
const CASES: Array<{ state: Record<string, unknown>; csp: string; frame: string; cache?: string }> = [
  { state: {}, csp: `${BASE} form-action 'self'; frame-ancestors 'none'; base-uri 'none'`, frame: 'DENY' },
  {
    state: { formAction: ['http://10.1.0.1:3990'] },
    csp: `${BASE} form-action 'self' http://10.1.0.1:3990; frame-ancestors 'none'; base-uri 'none'`,
    frame: 'DENY',
  },
  {
    state: { scriptSrc: ["'sha256-abc'"], formAction: ['https://a.example', 'https://b.example'] },
    csp: `${BASE} script-src 'sha256-abc'; form-action 'self' https://a.example https://b.example; frame-ancestors 'none'; base-uri 'none'`,
    frame: 'DENY',
  },
  {
    state: { frameAncestors: 'self' },
    csp: `${BASE} form-action 'self'; frame-ancestors 'self'; base-uri 'none'`,
    frame: 'SAMEORIGIN',
  },
  {
    state: { frameSrc: 'self' },
    csp: `${BASE} form-action 'self'; frame-ancestors 'none'; frame-src 'self'; base-uri 'none'`,
    frame: 'DENY',
  },
  {
    state: { cache: 'public, max-age=60' },
    csp: `${BASE} form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    frame: 'DENY',
    cache: 'public, max-age=60',
  },
];

describe('strict headers on every response', function () {
  for (const https of [false, true]) {
    describe(https ? 'behind https' : 'plain http', function () {
      let server: Server;
      let url: string;
      before(async () => {
        const app = new Koa();
        app.use(securityHeaders({ https }));
        app.use((kctx) => {
          const c = CASES[Number(kctx.query.i)];
          const { cache, ...state } = c.state;
          Object.assign(kctx.state, state);
          if (cache) kctx.set('Cache-Control', cache as string);
          kctx.body = 'page';
        });
        server = createServer(app.callback());
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      });
      after(() => server.close());

      it('each state its own policy, asked in turn, and the fixed headers on all', async function () {
        for (const round of [0, 1]) {
          for (const [i, c] of CASES.entries()) {
            const r = await fetch(`${url}/?i=${i}`);
            const h = (n: string) => r.headers.get(n);
            assert.equal(h('content-security-policy'), c.csp, `case ${i}, round ${round}`);
            assert.equal(h('x-frame-options'), c.frame);
            assert.equal(h('x-content-type-options'), 'nosniff');
            assert.equal(h('referrer-policy'), 'no-referrer');
            assert.equal(h('permissions-policy'), 'camera=(), microphone=(), geolocation=(), interest-cohort=()');
            assert.equal(h('cross-origin-opener-policy'), 'same-origin');
            assert.equal(h('cross-origin-resource-policy'), 'same-origin');
            assert.equal(h('cache-control'), c.cache ?? 'no-store');
            assert.equal(h('strict-transport-security'), https ? 'max-age=31536000' : null);
          }
        }
      });
    });
  }
});
