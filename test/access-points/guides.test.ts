// Issue 19.14: what breaks real installs must be in the guide a network admin follows:
// NAT (the --ip Foyer sees, inbound UDP 3799 for Disconnect/CoA), the walled garden
// beyond the portal host (the phones' captive-portal probes must NOT be let through),
// and what the equipment does after the login (CoovaChilli's res=success).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GUIDES_DIR } from '../../portal/admin/nas-setup.ts';
import { VENDORS } from '../../portal/access-points/registry.ts';

const guide = (name: string) => readFileSync(join(GUIDES_DIR, `${name}.md`), 'utf8').replace(/\s+/g, ' ');

describe('access-point guides', () => {
  it('has a guide for every vendor', () => {
    const files = readdirSync(GUIDES_DIR)
      .filter((f) => f !== 'README.md')
      .map((f) => f.replace(/\.md$/, ''));
    for (const v of VENDORS) assert.ok(files.includes(v), `deploy/access-points/${v}.md`);
  });

  it('the overview explains NAT, the probes and the after-login return', () => {
    const t = guide('README');
    assert.match(t, /Behind NAT/);
    assert.match(t, /`--ip` must be that public address/);
    assert.match(t, /forward inbound UDP 3799/);
    for (const probe of [
      'captive.apple.com',
      'connectivitycheck.gstatic.com',
      'www.msftconnecttest.com',
      'detectportal.firefox.com',
    ])
      assert.ok(t.includes(probe), probe);
    assert.match(t, /probes: do not allow them/);
    assert.match(t, /res=success/);
  });

  for (const v of VENDORS) {
    it(`${v}: NAT and UDP 3799, the walled garden without the probes, and what happens after login`, () => {
      const t = guide(v);
      assert.match(t, /## Before going live: NAT, walled garden, after login/);
      assert.match(t, /\bNAT\b/);
      assert.match(t, /UDP 3799/);
      assert.match(
        t,
        /Do not add the phones' captive-portal probes \(`captive\.apple\.com`, `connectivitycheck\.gstatic\.com`/,
      );
      assert.match(t, /\*\*After login\.\*\* \S/);
    });
  }

  it('coovachilli: every res value chilli sends back, and the log lines the check step names', () => {
    const t = guide('coovachilli');
    for (const res of ['success', 'already', 'failed', 'logoff', 'notyet']) assert.match(t, new RegExp(`res=${res}`));
    assert.match(t, /Foyer logs `Access-Accept` with `"nas":"cafe-chilli"`/);
  });
});
