// CoovaChilli (and OpenWrt/DD-WRT hotspots built on it). The UAM redirect carries uamip,
// uamport, challenge, mac, ip, called, nasid, ssid, userurl, res, sessionid…; the guest is
// handed back with a GET to http://uamip:uamport/logon, and chilli sends the Access-Request.
import type { AccessPointAdapter, AdapterContext, Credentials, HandBack, Handoff } from './handoff.ts';
import { HandoffError } from './handoff.ts';
import { coovaChapResponse, coovaPapPassword, hexChallenge } from './chap.ts';
import { clientMacFields, compact, ipParam, macParam, pick, text, type Query } from './params.ts';
import { authority, isHost, originalUrl, port, withQuery } from './safe-url.ts';

export const coovachilli: AccessPointAdapter = {
  vendor: 'coovachilli',

  detect(q) {
    return q.uamip !== undefined && q.uamport !== undefined;
  },

  parse(q: Query): Handoff {
    const uamip = pick(q, 'uamip');
    if (!uamip || !isHost(uamip)) throw new HandoffError('the redirect has no usable uamip');
    const uamport = port(pick(q, 'uamport'));
    if (!uamport) throw new HandoffError('the redirect has no usable uamport');
    const res = pick(q, 'res');
    const challenge = pick(q, 'challenge');
    // Every login needs the challenge; only pages that are not logins (already, success, logoff) may lack it.
    if (challenge !== undefined || res === undefined || res === 'notyet' || res === 'failed') {
      hexChallenge(challenge, 16, 'challenge');
    }
    return {
      vendor: 'coovachilli',
      ...clientMacFields(pick(q, 'mac')),
      clientIp: ipParam(pick(q, 'ip'), 'client IP'),
      nasId: text(pick(q, 'nasid')),
      apMac: macParam(pick(q, 'called'), 'called-station (AP) MAC'),
      ssid: text(pick(q, 'ssid'), 64),
      loginUrl: `http://${authority(uamip, uamport)}/logon`,
      challenge: challenge?.toLowerCase(),
      originalUrl: originalUrl(pick(q, 'userurl'), pick(q, 'redirurl')),
      extra: compact({
        uamip,
        uamport: String(uamport),
        res,
        sessionid: text(pick(q, 'sessionid'), 64),
        reply: text(pick(q, 'reply'), 256),
        timeleft: text(pick(q, 'timeleft'), 16),
      }),
    };
  },

  async handBack(h: Handoff, c: Credentials, ctx: AdapterContext): Promise<HandBack> {
    if (!h.loginUrl) throw new HandoffError('the redirect has no login address (uamip/uamport)');
    const challenge = hexChallenge(h.challenge, 16, 'challenge');
    const method = ctx.authMethod ?? 'chap';
    const secret = ctx.uamSecret || undefined;
    const url = withQuery(h.loginUrl, {
      username: c.username,
      ...(method === 'pap'
        ? { password: coovaPapPassword(c.password, challenge, secret) }
        : { response: coovaChapResponse(c.password, challenge, secret) }),
      userurl: h.originalUrl,
    });
    return { kind: 'redirect', url };
  },
};
