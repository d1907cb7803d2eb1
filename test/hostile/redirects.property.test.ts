// Every vendor adapter against generated redirects in its own parameter names: a Handoff
// (MAC normalised, original URL http(s) only) or a HandoffError, never anything else.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ADAPTERS } from '../../portal/access-points/index.ts';
import { HandoffError } from '../../portal/access-points/handoff.ts';

const NAMES = [
  'uamip',
  'uamport',
  'challenge',
  'mac',
  'ip',
  'called',
  'nasid',
  'ssid',
  'userurl',
  'res',
  'sessionid',
  'clientip',
  'clientmac',
  'gatewayname',
  'gatewayaddress',
  'hid',
  'tok',
  'redir',
  'authaction',
  'originurl',
  'fas',
  'link-login-only',
  'link-orig',
  'chap-id',
  'chap-challenge',
  'server-name',
  'identity',
  'id',
  'ap',
  't',
  'url',
  'login_url',
  'continue_url',
  'ap_mac',
  'ap_name',
  'ap_tags',
  'client_mac',
  'client_ip',
  'base_grant_url',
  'user_continue_url',
  'node_mac',
  'switch_url',
  'wlan',
  'redirect',
  'statusCode',
  'cmd',
  'essid',
  'apname',
  'vcname',
  'switchip',
  'post',
  'sip',
  'uip',
  'nbiIP',
  'apmac',
  'wlanName',
  'zoneName',
  'zone',
  'redirurl',
];

const value = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    'AA:BB:CC:DD:EE:FF',
    'aabb.ccdd.eeff',
    '02-00-00-00-00-01',
    'http://10.1.0.1:3990/logon',
    'https://example.com/',
    'javascript:alert(1)',
    '\\343\\123',
    '0123456789abcdef0123456789abcdef',
    '1',
  ),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);
const redirect = fc.dictionary(fc.constantFrom(...NAMES), value, { maxKeys: 12 });

describe('hostile NAS redirects, per vendor adapter', () => {
  for (const adapter of ADAPTERS) {
    it(`${adapter.vendor}: a Handoff or a HandoffError`, () => {
      fc.assert(
        fc.property(redirect, (q) => {
          let h;
          try {
            h = adapter.parse(q, {});
          } catch (err) {
            assert.ok(
              err instanceof HandoffError,
              `${adapter.vendor} threw ${(err as Error).name}: ${(err as Error).message}`,
            );
            return;
          }
          if (h.clientMac !== undefined) assert.match(h.clientMac, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
          if (h.originalUrl !== undefined) assert.match(h.originalUrl, /^https?:\/\//);
          if (h.loginUrl !== undefined) assert.match(h.loginUrl, /^https?:\/\//);
        }),
        { numRuns: 3000 },
      );
    });
  }
});
