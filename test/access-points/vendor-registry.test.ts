// Issue 17: one vendor registry (portal/access-points/registry.ts). The vendors a NAS or a
// venue may name, the portal adapters, the login hosts and the RADIUS reply attributes all
// come from it, so a vendor added in one of those places only is caught here (or by tsc).
import assert from 'node:assert/strict';
import { ADAPTERS, adapterFor } from '../../portal/access-points/index.ts';
import { replyProfileOf, vendorEntry, vendorSetupPlaces, VENDORS } from '../../portal/access-points/registry.ts';
import { setupRows } from '../../portal/admin/nas-setup.ts';
import { loadConfig } from '../../portal/config.ts';
import { addNas, findNasById, listNas, nasInput } from '../../portal/access/nas-clients.ts';
import { venueSettingsSchema } from '../../portal/venues/settings.ts';
import { REPLY_PROFILES, vendorReplyAttributes } from '../../radius/vendor-attributes.ts';
import { acceptAttributes } from '../../radius/responses.ts';
import type { ReplyProfileId } from '../../radius/types.ts';
import { eachBackend } from '../support/backends.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { makeVenue } from '../guest/helpers.ts';

const accept = {
  result: 'accept' as const,
  bandwidth: { upKbps: 1000, downKbps: 4000 },
  dataLimitBytes: 5 * 2 ** 30,
  role: 'guests',
};

describe('access points: one vendor registry', () => {
  it('every vendor has its adapter, named for it, and a RADIUS reply profile that radius/ knows', () => {
    for (const v of VENDORS) {
      assert.equal(adapterFor(v)?.vendor, v, `${v}: adapter`);
      const profile = vendorEntry(v)!.radius.profile;
      assert.ok(Object.hasOwn(REPLY_PROFILES, profile), `${v}: reply profile ${profile}`);
      assert.ok(vendorEntry(v)!.radius.source.length > 10, `${v}: says where its attributes are documented`);
    }
  });

  it("every adapter is a registered vendor, once (the adapters are the registry's)", () => {
    assert.deepEqual(ADAPTERS.map((a) => a.vendor).sort(), [...VENDORS].sort());
    assert.equal(ADAPTERS.at(-1)?.vendor, 'generic');
  });

  it('every RADIUS reply profile is read by some vendor (none added to radius/ alone)', () => {
    const used = new Set(VENDORS.map((v) => replyProfileOf(v)));
    assert.deepEqual(
      Object.keys(REPLY_PROFILES).filter((p) => !used.has(p as ReplyProfileId)),
      [],
    );
  });

  it('a NAS and a venue default accept exactly the registered vendors', () => {
    const base = { name: 'ap', address: '192.0.2.1', venueId: 'v' };
    for (const v of VENDORS) {
      assert.ok(nasInput.safeParse({ ...base, vendor: v }).success, `NAS vendor ${v}`);
      assert.ok(venueSettingsSchema.safeParse({ nasVendor: v }).success, `venue default ${v}`);
    }
    assert.equal(nasInput.safeParse({ ...base, vendor: 'acme' }).success, false);
    assert.equal(venueSettingsSchema.safeParse({ nasVendor: 'acme' }).success, false);
  });

  it("the console's setup page says where each value goes in the vendor's own terms, from the registry", () => {
    const config = loadConfig({ SECRET_KEY: 'k'.repeat(64) });
    const nas = {
      address: '192.0.2.9',
      coaPort: 3799,
      requireMessageAuthenticator: true,
      portal: { loginHosts: [], authmon: false },
    };
    for (const v of VENDORS) {
      const rows = setupRows(config, { ...nas, vendor: v }, 'cafe', 'https://portal.example');
      assert.deepEqual(
        Object.fromEntries(rows.filter((r) => r.where).map((r) => [r.key, r.where])),
        vendorSetupPlaces(v),
        v,
      );
      // A vendor with a portal of its own configuration names where the portal URL goes (generic has only our names).
      if (v !== 'generic') assert.ok(vendorSetupPlaces(v).portal, `${v}: where the portal URL goes`);
    }
    assert.match(
      setupRows(config, { ...nas, vendor: 'coovachilli' }, 'cafe', 'https://portal.example').find(
        (r) => r.key === 'portal',
      )!.where!,
      /HS_UAMSERVER/,
    );
    assert.deepEqual(vendorSetupPlaces('acme'), {});
  });

  it('a vendor no longer known gets the generic (WISPr) replies', () => {
    assert.equal(replyProfileOf('acme'), replyProfileOf('generic'));
    assert.equal(replyProfileOf('constructor'), replyProfileOf('generic'));
  });

  eachBackend('a stored NAS', (backend) => {
    let ctx: TestContext;
    before(async () => (ctx = await testContext({ backend })));
    after(async () => ctx?.cleanup());

    it("answers an Access-Accept with its vendor's attributes", async () => {
      const venueId = (await makeVenue(ctx, 'registry')).id;
      for (const [i, v] of VENDORS.entries()) {
        const nas = (await findNasById(
          ctx.db,
          ctx.cipher,
          (await addNas(ctx.db, ctx.cipher, { name: `ap-${v}`, address: `192.0.2.${i + 1}`, vendor: v, venueId })).id,
        ))!;
        assert.equal(nas.replyProfile, vendorEntry(v)!.radius.profile, v);
        assert.deepEqual(acceptAttributes(nas, accept), vendorReplyAttributes(nas.replyProfile, accept), v);
      }
      const all = await listNas(ctx.db, ctx.cipher);
      const names = (v: string) =>
        acceptAttributes(
          all.find((n) => n.vendor === v)!,
          accept,
        ).map((a) => a.name);
      assert.ok(names('mikrotik').includes('Mikrotik-Rate-Limit'));
      assert.ok(names('coovachilli').includes('ChilliSpot-Max-Total-Octets'));
      assert.ok(names('cisco').includes('Airespace-Data-Bandwidth-Average-Contract'));
      assert.ok(names('aruba').includes('Aruba-User-Role'));
      assert.ok(names('pfsense').includes('WISPr-Bandwidth-Max-Down'));
      assert.deepEqual(names('unifi'), []);
    });
  });
});
