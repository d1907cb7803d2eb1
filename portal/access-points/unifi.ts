// Ubiquiti UniFi external portal. The AP sends the guest to the portal with id (client
// MAC), ap (AP MAC), t (time), url (original page) and ssid; the portal authorises the MAC
// through the controller's hotspot API and the guest just carries on.
import type { AccessPointAdapter, AdapterContext, Credentials, HandBack, Handoff } from './handoff.ts';
import { HandoffError } from './handoff.ts';
import { clientMacFields, compact, macParam, pick, text, type Query } from './params.ts';
import { originalUrl } from './safe-url.ts';
import { UnifiController, UnifiError } from './unifi-controller.ts';

/** The process's logged-in client for this controller (ctx.controllerClients), so a busy venue does not log in per guest. */
function controllerFor(ctx: AdapterContext): UnifiController {
  const s = ctx.controller;
  if (!s?.url) throw new HandoffError('no UniFi controller is configured for this NAS');
  const open = (settings: typeof s) => new UnifiController(settings);
  return ctx.controllerClients?.get('unifi', s, open) ?? open(s);
}

export const unifi: AccessPointAdapter = {
  vendor: 'unifi',

  detect(q) {
    return q.id !== undefined && q.ap !== undefined && q.t !== undefined;
  },

  parse(q: Query): Handoff {
    const mac = pick(q, 'id');
    if (!mac) throw new HandoffError('the redirect has no client MAC (id)');
    return {
      vendor: 'unifi',
      ...clientMacFields(mac),
      apMac: macParam(pick(q, 'ap'), 'AP MAC (ap)'),
      nasId: text(pick(q, 'ap')),
      ssid: text(pick(q, 'ssid'), 64),
      originalUrl: originalUrl(pick(q, 'url')),
      // site: added by Foyer when the controller's /guest/s/<site>/ path brought the guest.
      extra: compact({ t: text(pick(q, 't'), 20), site: text(pick(q, 'site'), 64) }),
    };
  },

  async handBack(h: Handoff, _c: Credentials, ctx: AdapterContext): Promise<HandBack> {
    if (!h.clientMac) throw new HandoffError('the redirect has no client MAC (id)');
    try {
      await controllerFor(ctx).authorizeGuest({ mac: h.clientMac, apMac: h.apMac, limits: ctx.grant });
    } catch (e) {
      if (e instanceof UnifiError)
        throw new HandoffError(`the UniFi controller did not authorise the guest: ${e.message}`);
      throw e;
    }
    return { kind: 'done', url: h.originalUrl };
  },
};
