// Cisco Meraki splash pages. "Sign-on with my RADIUS server": the redirect carries
// login_url, continue_url, ap_mac, ap_name, ap_tags, client_mac, client_ip; the guest's
// browser POSTs username, password and success_url to login_url and Meraki's cloud sends
// the Access-Request. "Click-through": base_grant_url, user_continue_url, node_mac, …; the
// guest is sent to base_grant_url with continue_url and duration, and no RADIUS is involved.
import type { AccessPointAdapter, AdapterContext, Credentials, HandBack, Handoff } from './handoff.ts';
import { HandoffError } from './handoff.ts';
import { clientMacFields, compact, ipParam, loginUrlParam, macParam, pick, text, type Query } from './params.ts';
import { originalUrl, withQuery } from './safe-url.ts';

export const meraki: AccessPointAdapter = {
  vendor: 'meraki',

  detect(q) {
    return (
      q.base_grant_url !== undefined ||
      (q.login_url !== undefined && (q.ap_mac !== undefined || q.continue_url !== undefined))
    );
  },

  parse(q: Query): Handoff {
    const clickThrough = pick(q, 'base_grant_url') !== undefined;
    const loginUrl = clickThrough
      ? loginUrlParam(pick(q, 'base_grant_url'), 'base_grant_url')
      : loginUrlParam(pick(q, 'login_url'), 'login_url');
    const apMac = macParam(pick(q, 'ap_mac', 'node_mac'), 'AP MAC');
    return {
      vendor: 'meraki',
      ...clientMacFields(pick(q, 'client_mac')),
      clientIp: ipParam(pick(q, 'client_ip'), 'client IP'),
      nasId: text(pick(q, 'ap_name', 'node_id')) ?? apMac,
      apMac,
      loginUrl,
      originalUrl: originalUrl(pick(q, 'continue_url', 'user_continue_url')),
      extra: compact({
        mode: clickThrough ? 'click-through' : 'sign-on',
        ap_tags: text(pick(q, 'ap_tags'), 256),
        gateway_id: text(pick(q, 'gateway_id'), 64),
      }),
    };
  },

  async handBack(h: Handoff, c: Credentials, ctx: AdapterContext): Promise<HandBack> {
    if (!h.loginUrl) throw new HandoffError('the redirect has no login address (login_url)');
    if (h.extra.mode === 'click-through') {
      const minutes = ctx.grant?.minutes;
      return {
        kind: 'redirect',
        url: withQuery(h.loginUrl, {
          continue_url: h.originalUrl,
          duration: minutes ? String(Math.round(minutes * 60)) : undefined,
        }),
      };
    }
    const fields: Record<string, string> = { username: c.username, password: c.password };
    if (h.originalUrl) fields.success_url = h.originalUrl;
    return { kind: 'form', action: h.loginUrl, method: 'POST', fields };
  },
};
