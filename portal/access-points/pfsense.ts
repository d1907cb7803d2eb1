// pfSense captive portal. pfSense serves its own portal page on :8002 (http) / :8003
// (https) with $PORTAL_ACTION$, $PORTAL_REDIRURL$, $PORTAL_ZONE$, $CLIENT_MAC$ and
// $CLIENT_IP$ filled in; Foyer's guide uploads a page that forwards those to the portal as
// portal_action, redirurl, zone, clientmac, clientip. The guest's browser then POSTs
// auth_user, auth_pass, zone, redirurl and accept=Login to $PORTAL_ACTION$ and pfSense
// sends the Access-Request.
import type { AccessPointAdapter, Credentials, HandBack, Handoff } from './handoff.ts';
import { HandoffError } from './handoff.ts';
import { clientMacFields, compact, ipParam, loginUrlParam, pick, text, type Query } from './params.ts';
import { originalUrl } from './safe-url.ts';

export const pfsense: AccessPointAdapter = {
  vendor: 'pfsense',

  detect(q) {
    return q.portal_action !== undefined && q.zone !== undefined;
  },

  parse(q: Query): Handoff {
    const zone = pick(q, 'zone');
    if (!zone || !/^[a-z0-9_]{1,32}$/i.test(zone)) throw new HandoffError('the redirect has no usable zone');
    const action = loginUrlParam(pick(q, 'portal_action'), 'portal_action');
    return {
      vendor: 'pfsense',
      ...clientMacFields(pick(q, 'clientmac', 'client_mac')),
      clientIp: ipParam(pick(q, 'clientip', 'client_ip'), 'client IP'),
      nasId: text(zone),
      loginUrl: action,
      originalUrl: originalUrl(pick(q, 'redirurl')),
      extra: compact({ zone: zone.toLowerCase() }),
    };
  },

  async handBack(h: Handoff, c: Credentials): Promise<HandBack> {
    if (!h.loginUrl) throw new HandoffError('the redirect has no login address (portal_action)');
    return {
      kind: 'form',
      action: h.loginUrl,
      method: 'POST',
      fields: {
        auth_user: c.username,
        auth_pass: c.password,
        zone: h.extra.zone ?? '',
        redirurl: h.originalUrl ?? '',
        accept: 'Login',
      },
    };
  },
};
