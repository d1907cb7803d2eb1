// Aruba Instant, Instant On and ArubaOS controllers with an external captive portal. The
// redirect carries cmd=login, mac, ip, essid (network on Instant On), apname, apmac, vcname,
// switchip (the captive-portal domain or controller address) and url; Instant On adds
// post, the host to post the login to. The guest's browser POSTs user and password to
// https://<host>/cgi-bin/login and the AP/controller sends the Access-Request.
import type { AccessPointAdapter, Credentials, HandBack, Handoff } from './handoff.ts';
import { HandoffError } from './handoff.ts';
import { clientMacFields, compact, ipParam, macParam, pick, text, type Query } from './params.ts';
import { authority, isHost, originalUrl } from './safe-url.ts';

export const aruba: AccessPointAdapter = {
  vendor: 'aruba',

  detect(q) {
    return (
      q.cmd !== undefined &&
      (q.switchip !== undefined || q.post !== undefined || q.essid !== undefined || q.vcname !== undefined)
    );
  },

  parse(q: Query): Handoff {
    const host = pick(q, 'post', 'switchip');
    if (!host) throw new HandoffError('the redirect has no login host (switchip or post)');
    if (!isHost(host)) throw new HandoffError('the login host (switchip/post) is not a host name or address');
    const apMac = macParam(pick(q, 'apmac'), 'AP MAC (apmac)');
    return {
      vendor: 'aruba',
      ...clientMacFields(pick(q, 'mac')),
      clientIp: ipParam(pick(q, 'ip'), 'client IP'),
      nasId: text(pick(q, 'vcname', 'apname', 'site')) ?? apMac,
      apMac,
      ssid: text(pick(q, 'essid', 'network'), 64),
      loginUrl: `https://${authority(host)}/cgi-bin/login`,
      originalUrl: originalUrl(pick(q, 'url')),
      extra: compact({
        cmd: text(pick(q, 'cmd'), 16),
        apname: text(pick(q, 'apname')),
        apgroup: text(pick(q, 'apgroup')),
        vlan: text(pick(q, 'vlan'), 8),
      }),
    };
  },

  async handBack(h: Handoff, c: Credentials): Promise<HandBack> {
    if (!h.loginUrl) throw new HandoffError('the redirect has no login host (switchip or post)');
    const fields: Record<string, string> = {
      cmd: 'authenticate',
      user: c.username,
      password: c.password,
      Login: 'Log In',
    };
    if (h.originalUrl) fields.url = h.originalUrl;
    return { kind: 'form', action: h.loginUrl, method: 'POST', fields };
  },
};
