// OPNsense captive portal. OPNsense serves its own portal template; Foyer's guide ships a
// template whose index.html forwards the guest to the portal with zoneid, redirurl and the
// portal's own address (portal). Two hand-backs:
// - with an API key configured: POST /api/captiveportal/session/connect/<zoneid> with the
//   guest's user name and IP (admin API, key:secret basic auth), then 'done'. No RADIUS
//   Access-Request is sent; Foyer's grant is the decision.
// - without: the guest's browser POSTs user and password to the zone's own
//   /api/captiveportal/access/logon/<zoneid>. That endpoint authorises the address the
//   request comes from, which is why Foyer's server cannot call it for the guest; OPNsense
//   then sends the RADIUS Access-Request.
import type { AccessPointAdapter, AdapterContext, Credentials, HandBack, Handoff } from './handoff.ts';
import { HandoffError } from './handoff.ts';
import { clientMacFields, compact, ipParam, pick, text, type Query } from './params.ts';
import { httpUrl, originalUrl } from './safe-url.ts';
import { OpnsenseApi, OpnsenseError } from './opnsense-api.ts';

export const opnsense: AccessPointAdapter = {
  vendor: 'opnsense',

  detect(q) {
    return q.zoneid !== undefined && (q.portal !== undefined || q.redirurl !== undefined);
  },

  parse(q: Query): Handoff {
    const zoneid = pick(q, 'zoneid');
    if (!zoneid || !/^\d{1,3}$/.test(zoneid)) throw new HandoffError('the redirect has no usable zoneid');
    const rawPortal = pick(q, 'portal');
    const portal = rawPortal === undefined ? undefined : httpUrl(rawPortal);
    if (rawPortal !== undefined && !portal) throw new HandoffError('the portal address is not an http(s) URL');
    return {
      vendor: 'opnsense',
      ...clientMacFields(pick(q, 'clientmac', 'client_mac')),
      clientIp: ipParam(pick(q, 'clientip', 'client_ip'), 'client IP'),
      nasId: text(pick(q, 'zone')) ?? `zone ${zoneid}`,
      loginUrl: portal ? new URL(`/api/captiveportal/access/logon/${zoneid}`, portal).href : undefined,
      originalUrl: originalUrl(pick(q, 'redirurl')),
      extra: compact({ zoneid }),
    };
  },

  async handBack(h: Handoff, c: Credentials, ctx: AdapterContext): Promise<HandBack> {
    const zoneid = h.extra.zoneid;
    if (ctx.controller?.url && ctx.controller.username) {
      if (!h.clientIp) throw new HandoffError('the redirect has no client IP to connect');
      try {
        await new OpnsenseApi(ctx.controller).connect(ctx.controller.site ?? zoneid, c.username, h.clientIp);
      } catch (e) {
        if (e instanceof OpnsenseError) throw new HandoffError(`OPNsense did not connect the guest: ${e.message}`);
        throw e;
      }
      return { kind: 'done', url: h.originalUrl };
    }
    if (!h.loginUrl) throw new HandoffError('no OPNsense API key is configured and the redirect has no portal address');
    return { kind: 'form', action: h.loginUrl, method: 'POST', fields: { user: c.username, password: c.password } };
  },
};
