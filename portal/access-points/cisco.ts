// Cisco AireOS WLC and Catalyst 9800 external web authentication. The controller redirects
// with switch_url, ap_mac, client_mac, wlan, redirect and (after a failed attempt)
// statusCode; the guest's browser POSTs the login form to switch_url with buttonClicked=4,
// and the controller sends the Access-Request.
import type { AccessPointAdapter, Credentials, HandBack, Handoff } from './handoff.ts';
import { HandoffError } from './handoff.ts';
import { clientMacFields, compact, loginUrlParam, macParam, pick, text, type Query } from './params.ts';
import { originalUrl } from './safe-url.ts';

/** What the controller means by statusCode, for the page and the logs. */
export const CISCO_STATUS: Record<string, string> = {
  '1': 'already logged in',
  '2': 'not configured to authenticate against web portal',
  '3': 'the user name cannot be used at this time',
  '4': 'the user has been excluded',
  '5': 'invalid user name or password',
};

export const cisco: AccessPointAdapter = {
  vendor: 'cisco',

  detect(q) {
    return q.switch_url !== undefined;
  },

  parse(q: Query): Handoff {
    const apMac = macParam(pick(q, 'ap_mac'), 'AP MAC (ap_mac)');
    const status = pick(q, 'statusCode');
    return {
      vendor: 'cisco',
      ...clientMacFields(pick(q, 'client_mac')),
      apMac,
      nasId: apMac,
      ssid: text(pick(q, 'wlan'), 64),
      loginUrl: loginUrlParam(pick(q, 'switch_url'), 'switch_url'),
      originalUrl: originalUrl(pick(q, 'redirect', 'url')),
      extra: compact({
        statusCode: status && /^\d{1,2}$/.test(status) ? status : undefined,
        status: status ? CISCO_STATUS[status] : undefined,
      }),
    };
  },

  async handBack(h: Handoff, c: Credentials): Promise<HandBack> {
    if (!h.loginUrl) throw new HandoffError('the redirect has no login address (switch_url)');
    return {
      kind: 'form',
      action: h.loginUrl,
      method: 'POST',
      fields: {
        buttonClicked: '4',
        err_flag: '0',
        err_msg: '',
        info_flag: '0',
        info_msg: '',
        redirect_url: h.originalUrl ?? '',
        username: c.username,
        password: c.password,
      },
    };
  },
};
