// What a NAS means when it sends the guest's browser back to the portal after a login
// (issue 19 point 1). Each vendor's own return, read from the Handoff its adapter parsed:
// - CoovaChilli: res=success|already (online), failed (with `reply`, chilli's copy of the
//   Reply-Message, and a fresh challenge), logoff (after /logoff), notyet (a login page);
// - MikroTik: its login.html again with `error` set (and a fresh chap-challenge);
// - Cisco WLC: statusCode=1 (already logged in), 2–5 a refusal.
// Vendors that never come back to the portal after a login (openNDS, UniFi, Meraki,
// Aruba, Ruckus, pfSense, OPNsense send the guest to the original page or their own status
// page; Foyer shows "online" itself where it told the NAS through an API) have none.
import type { Handoff } from './handoff.ts';
import { CISCO_STATUS } from './cisco.ts';
import type { Query } from './params.ts';

export type LoginReturn =
  | { outcome: 'online' }
  /**
   * `reason`: a text of Foyer's own (Cisco's status codes), safe to show. `said`: the NAS's
   * free text (chilli's reply, MikroTik's error): the return is unsigned, so anyone can send
   * a guest a link with words of their choosing; it is logged for the network admin, never shown.
   */
  | { outcome: 'failed'; reason?: string; said?: string }
  | { outcome: 'logoff' };

export function loginReturn(h: Handoff): LoginReturn | undefined {
  switch (h.vendor) {
    case 'coovachilli':
      if (h.extra.res === 'success' || h.extra.res === 'already') return { outcome: 'online' };
      if (h.extra.res === 'failed') return { outcome: 'failed', said: h.extra.reply };
      if (h.extra.res === 'logoff') return { outcome: 'logoff' };
      return undefined;
    case 'mikrotik':
      return h.extra.error ? { outcome: 'failed', said: h.extra.error } : undefined;
    case 'cisco':
      if (!h.extra.statusCode) return undefined;
      return h.extra.statusCode === '1'
        ? { outcome: 'online' }
        : { outcome: 'failed', reason: CISCO_STATUS[h.extra.statusCode] };
    default:
      return undefined;
  }
}

/** Parameters only a return carries: a redirect without any of them is a login page (checked before parsing, on every screen 1). */
export function mayBeLoginReturn(q: Query): boolean {
  return (q.res !== undefined && q.res !== 'notyet') || Boolean(q.error) || q.statusCode !== undefined;
}

/** The same redirect as a plain login page (chilli's notyet), for "sign in again": the return's outcome and reason dropped. */
export function asLoginRedirect(q: Query): Query {
  const { reply: _reply, error: _error, statusCode: _status, md: _md, uid: _uid, ...rest } = q;
  if (rest.res !== undefined) rest.res = 'notyet';
  return rest;
}
