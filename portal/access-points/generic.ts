// Anything else that can redirect with Foyer's documented parameters: mac, ip, nas, ap,
// ssid, login_url, challenge, url. With a login_url the guest is sent there with username
// and password appended; without one Foyer's own decision is all there is.
import type { AccessPointAdapter, Credentials, HandBack, Handoff } from './handoff.ts';
import { clientMacFields, compact, ipParam, pick, text, type Query } from './params.ts';
import { normaliseMac } from './device-mac.ts';
import { httpUrl, originalUrl, withQuery } from './safe-url.ts';
import { HandoffError } from './handoff.ts';

export const generic: AccessPointAdapter = {
  vendor: 'generic',

  detect() {
    return true;
  },

  parse(q: Query): Handoff {
    const rawLogin = pick(q, 'login_url');
    const loginUrl = rawLogin === undefined ? undefined : httpUrl(rawLogin);
    if (rawLogin !== undefined && !loginUrl)
      throw new HandoffError('the login address (login_url) is not an http(s) URL');
    const challenge = pick(q, 'challenge');
    if (challenge !== undefined && !/^([0-9a-f]{2}){4,64}$/i.test(challenge))
      throw new HandoffError('the challenge is not hex');
    return {
      vendor: 'generic',
      ...clientMacFields(pick(q, 'mac')),
      clientIp: ipParam(pick(q, 'ip'), 'client IP'),
      // ap is an AP MAC on most gateways and an AP name on some.
      nasId: text(pick(q, 'nas')) ?? (normaliseMac(pick(q, 'ap')) ? undefined : text(pick(q, 'ap'))),
      apMac: normaliseMac(pick(q, 'ap')),
      ssid: text(pick(q, 'ssid'), 64),
      loginUrl,
      challenge: challenge?.toLowerCase(),
      originalUrl: originalUrl(pick(q, 'url')),
      extra: compact({}),
    };
  },

  async handBack(h: Handoff, c: Credentials): Promise<HandBack> {
    if (!h.loginUrl) return { kind: 'done', url: h.originalUrl };
    return {
      kind: 'redirect',
      url: withQuery(h.loginUrl, { username: c.username, password: c.password, url: h.originalUrl }),
    };
  },
};
