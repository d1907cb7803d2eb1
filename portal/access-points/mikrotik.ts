// MikroTik RouterOS hotspot. The router serves its own login.html; Foyer's guide replaces it
// with a page that forwards the hotspot variables ($(link-login-only), $(chap-id), …) to the
// portal under their own names. The guest is handed back with a form POST to
// link-login-only; the router then sends RADIUS CHAP (or PAP with login-by=http-pap).
import type { AccessPointAdapter, AdapterContext, Credentials, HandBack, Handoff } from './handoff.ts';
import { HandoffError } from './handoff.ts';
import { chapResponse, decodeOctalEscapes } from './chap.ts';
import { clientMacFields, compact, ipParam, loginUrlParam, pick, text, type Query } from './params.ts';
import { originalUrl } from './safe-url.ts';

export const mikrotik: AccessPointAdapter = {
  vendor: 'mikrotik',

  detect(q) {
    return q['link-login-only'] !== undefined || q['link-login'] !== undefined || q['chap-id'] !== undefined;
  },

  parse(q: Query): Handoff {
    const loginUrl = loginUrlParam(pick(q, 'link-login-only', 'link-login'), 'link-login-only');
    const chapIdRaw = pick(q, 'chap-id');
    const chapChallengeRaw = pick(q, 'chap-challenge');
    if ((chapIdRaw === undefined) !== (chapChallengeRaw === undefined)) {
      throw new HandoffError('the redirect has only one of chap-id and chap-challenge');
    }
    let chapId: string | undefined;
    let challenge: string | undefined;
    if (chapIdRaw !== undefined && chapChallengeRaw !== undefined) {
      const id = decodeOctalEscapes(chapIdRaw, 'chap-id');
      if (id.length !== 1) throw new HandoffError('the chap-id is not one byte');
      const ch = decodeOctalEscapes(chapChallengeRaw, 'chap-challenge');
      if (ch.length < 4 || ch.length > 64) throw new HandoffError('the chap-challenge has an unusable length');
      chapId = id.toString('hex');
      challenge = ch.toString('hex');
    }
    return {
      vendor: 'mikrotik',
      ...clientMacFields(pick(q, 'mac')),
      clientIp: ipParam(pick(q, 'ip'), 'client IP'),
      nasId: text(pick(q, 'identity')),
      ssid: text(pick(q, 'ssid'), 64),
      loginUrl,
      challenge,
      originalUrl: originalUrl(pick(q, 'link-orig'), pick(q, 'link-orig-esc'), pick(q, 'dst')),
      extra: compact({
        'chap-id': chapId,
        'server-name': text(pick(q, 'server-name'), 64),
        'interface-name': text(pick(q, 'interface-name'), 64),
        error: text(pick(q, 'error'), 256),
      }),
    };
  },

  async handBack(h: Handoff, c: Credentials, ctx: AdapterContext): Promise<HandBack> {
    if (!h.loginUrl) throw new HandoffError('the redirect has no login address (link-login-only)');
    const useChap = ctx.authMethod !== 'pap' && h.challenge !== undefined && h.extra['chap-id'] !== undefined;
    const password = useChap
      ? chapResponse(parseInt(h.extra['chap-id'], 16), c.password, Buffer.from(h.challenge!, 'hex')).toString('hex')
      : c.password;
    const fields: Record<string, string> = { username: c.username, password, popup: 'false' };
    if (h.originalUrl) fields.dst = h.originalUrl;
    return { kind: 'form', action: h.loginUrl, method: 'POST', fields };
  },
};
