// The guest routes answer each form with seeOther (portal/guest/request.ts), a 303 built
// without Koa's Accept negotiation and URL encoding pass when the URL needs none. What a
// browser gets must stay what kctx.redirect gives it: the same Location and the same page,
// for the portal's own paths, NAS login URLs and URLs with characters to encode.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { seeOther } from '../../portal/guest/request.ts';

const URLS = [
  '/p/cafe/code?f=0b7c1f6e-2a4b-4c5d-9e8f-0123456789ab',
  '/p/cafe/code?f=0b7c1f6e-2a4b-4c5d-9e8f-0123456789ab&n=resent',
  '/p/cafe/online?f=0b7c1f6e-2a4b-4c5d-9e8f-0123456789ab&k=AbC_-123',
  'http://10.1.0.1:3990/logon?username=u&password=p%2Fq&userurl=http%3A%2F%2Fexample.com%2F',
  'HTTPS://Login.Example.com/a b?x=<y>&z="q"',
  'http://192.0.2.1/login?user=a&url=http://example.com/?a=1&b=2',
  '/p/cafe/start?f=a b',
  '/p/cafe/x?q=%zz&r=%4',
  '/p/cafe/x?q=é&r=\u20ac',
  "/p/cafe/x?q='quoted'&r=<tag>",
];

describe('seeOther answers as kctx.redirect does', function () {
  let server: Server;
  let base: string;
  before(async () => {
    const app = new Koa();
    app.use((kctx) => {
      const url = URLS[Number(kctx.query.i)];
      if (kctx.path === '/koa') {
        kctx.redirect(url);
        kctx.status = 303;
      } else seeOther(kctx, url);
    });
    server = createServer(app.callback());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  URLS.forEach((url, i) => {
    it(`the same 303, Location and page for ${url}`, async function () {
      const get = async (path: string) => {
        const r = await fetch(`${base}${path}?i=${i}`, { redirect: 'manual', headers: { accept: 'text/html' } });
        return {
          status: r.status,
          location: r.headers.get('location'),
          type: r.headers.get('content-type'),
          body: await r.text(),
        };
      };
      const [ours, koa] = [await get('/ours'), await get('/koa')];
      assert.equal(ours.status, 303);
      assert.deepEqual(ours, koa);
    });
  });
});
