// Issue 19.13: the page a network admin reads after adding a NAS, and its guide, as a new
// admin meets them: with and without PUBLIC_URL. Real values only (never "(PUBLIC_URL)"),
// the portal settings of this NAS listed, the guide as HTML with the values filled in.
import assert from 'node:assert/strict';
import { adminWorld, type AdminWorld } from './setup.ts';
import { listNas } from '../../portal/access/nas-clients.ts';

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

for (const publicUrl of ['https://wifi.example.com', undefined]) {
  describe(`admin: NAS setup page and guide (${publicUrl ? 'PUBLIC_URL set' : 'no PUBLIC_URL'})`, function () {
    this.timeout(60_000);
    let w: AdminWorld;
    before(async () => (w = await adminWorld(publicUrl ? { PUBLIC_URL: publicUrl } : {})));
    after(() => w.close());

    it('shows real values, the NAS identifier, UAM secret state and login hosts, and a guide rendered as HTML with them filled in', async () => {
      const net = await w.as('network-admin');
      await net.get('/admin/network/nas/new');
      const added = await net.post('/admin/network/nas/new', {
        name: 'chilli',
        address: '198.51.100.7',
        vendor: 'coovachilli',
        venueId: w.a.id,
        coaPort: '3799',
        requireMessageAuthenticator: 'on',
        secretMode: 'generate',
        nasIdentifier: 'chilli-lobby',
        loginHosts: '10.1.0.1:3990',
        uamSecret: 'uam-shared-secret',
      });
      assert.equal(added.status, 200, added.html);
      const host = publicUrl ? 'wifi.example.com' : '127.0.0.1';
      const n = (await listNas(w.ctx.db, w.ctx.cipher)).find((x) => x.name === 'chilli')!;
      for (const page of [added.html, (await net.get(`/admin/network/nas/${n.id}`)).html]) {
        const t = text(page);
        assert.doesNotMatch(page, /\(PUBLIC_URL\)/);
        assert.match(t, new RegExp(`RADIUS server address ${host.replace(/\./g, '\\.')} `));
        assert.match(
          t,
          new RegExp(`Portal URL \\(external splash page\\) https?://${host.replace(/\./g, '\\.')}(:\\d+)?/p/cafe-a `),
        );
        assert.match(t, /NAS identifier \(what its redirect names it by\) chilli-lobby HS_NASID/);
        assert.match(t, /UAM secret \/ FAS key set \(enter the value you gave Foyer\) HS_UAMSECRET/);
        assert.match(t, /Login hosts \(where guests are handed back\) 10\.1\.0\.1:3990, 198\.51\.100\.7/);
        assert.doesNotMatch(page, /uam-shared-secret/, 'the UAM secret itself is never shown');
        if (publicUrl) assert.doesNotMatch(t, /PUBLIC_URL is not set/);
        else
          assert.match(
            t,
            /PUBLIC_URL is not set, so these values use the address you opened the console at \(http:\/\/127\.0\.0\.1:\d+\)/,
          );
        assert.match(page, new RegExp(`href="/admin/network/nas/${n.id}/guide"`));
      }

      const guide = await net.get(`/admin/network/nas/${n.id}/guide`);
      assert.equal(guide.status, 200);
      assert.match(guide.html, /<h2>CoovaChilli \(and OpenWrt hotspots using it\)<\/h2>/);
      assert.match(guide.html, /<pre><code>HS_LANIF=wlan0/);
      assert.match(guide.html, /<li><code>--nas-id<\/code>: <code>HS_NASID<\/code>/);
      assert.doesNotMatch(guide.html, /^#+ /m, 'no raw markdown headings');
      assert.doesNotMatch(guide.html, /`/, 'no raw markdown code spans');
      assert.match(guide.html, new RegExp(`HS_UAMFORMAT=&quot;https://${host.replace(/\./g, '\\.')}/p/cafe-a&quot;`));
      assert.match(guide.html, new RegExp(`HS_RADIUS=${host.replace(/\./g, '\\.')}`));
      assert.doesNotMatch(guide.html, /\bPORTAL\b|\bVENUE\b|RADIUS_IP/, 'placeholders Foyer knows are filled in');
      assert.match(guide.html, /HS_RADSECRET=SECRET/, 'the shared secret stays a placeholder');

      const generic = await net.get('/admin/network/guides/coovachilli');
      assert.match(generic.html, /<h2>CoovaChilli/);
      assert.match(generic.html, /uamserver=https:\/\/PORTAL\/p\/VENUE/);
    });
  });
}
