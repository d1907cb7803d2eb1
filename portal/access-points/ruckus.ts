// Ruckus SmartZone / ZoneDirector / RUCKUS One hotspot (WISPr) with an external portal. The
// redirect carries nbiIP, sip, client_mac and uip (both usually encrypted "ENC…"), mac (the
// AP's), ssid, wlanName, zoneName, url, startUrl, reason, vlan… With an NBI password
// configured, Foyer logs the guest in over the northbound interface (encrypted values are
// accepted as they came) and the guest continues; without one, the guest's browser posts to
// the controller's WISPr login page on port 9997.
import type {
  AccessPointAdapter,
  AdapterContext,
  ControllerSettings,
  Credentials,
  HandBack,
  Handoff,
} from './handoff.ts';
import { HandoffError } from './handoff.ts';
import { clientMacFields, compact, ipParam, macParam, pick, text, type Query } from './params.ts';
import { authority, isHost, originalUrl } from './safe-url.ts';
import { RuckusNbi, RuckusNbiError } from './ruckus-nbi.ts';

const ENC = /^ENC[0-9a-f]{16,256}$/i;

function nbiSettings(h: Handoff, ctx: AdapterContext): ControllerSettings | undefined {
  if (!ctx.controller?.password) return undefined;
  const nbiIP = h.extra.nbiIP;
  // A configured NBI URL wins: the nbiIP in the redirect came through the guest's browser.
  const url = ctx.controller.url || (nbiIP ? `http://${authority(nbiIP, 9080)}/portalintf` : undefined);
  return url ? { ...ctx.controller, url } : undefined;
}

export const ruckus: AccessPointAdapter = {
  vendor: 'ruckus',

  detect(q) {
    return q.nbiIP !== undefined || (q.sip !== undefined && (q.client_mac !== undefined || q.uip !== undefined));
  },

  parse(q: Query): Handoff {
    const sip = pick(q, 'sip');
    if (sip !== undefined && !isHost(sip))
      throw new HandoffError('the controller address (sip) is not a host name or address');
    const nbiIP = pick(q, 'nbiIP');
    if (nbiIP !== undefined && !isHost(nbiIP))
      throw new HandoffError('the NBI address (nbiIP) is not a host name or address');
    if (!sip && !nbiIP) throw new HandoffError('the redirect has neither sip nor nbiIP');
    const rawMac = pick(q, 'client_mac');
    const rawIp = pick(q, 'uip');
    const macEncrypted = rawMac !== undefined && ENC.test(rawMac);
    const ipEncrypted = rawIp !== undefined && ENC.test(rawIp);
    const apMac = macParam(pick(q, 'mac', 'apmac'), 'AP MAC (mac)');
    return {
      vendor: 'ruckus',
      ...(macEncrypted ? {} : clientMacFields(rawMac)),
      clientIp: ipEncrypted ? undefined : ipParam(rawIp, 'client IP (uip)'),
      nasId: text(pick(q, 'zoneName')) ?? apMac,
      apMac,
      ssid: text(pick(q, 'ssid', 'wlanName'), 64),
      loginUrl: sip ? `http://${authority(sip, 9997)}/SubscriberPortal/hotspotlogin` : undefined,
      originalUrl: originalUrl(pick(q, 'url'), pick(q, 'startUrl')),
      extra: compact({
        sip,
        nbiIP,
        client_mac: rawMac,
        uip: rawIp,
        wlanName: text(pick(q, 'wlanName'), 64),
        zoneName: text(pick(q, 'zoneName')),
        vlan: text(pick(q, 'vlan'), 8),
        reason: text(pick(q, 'reason'), 32),
      }),
    };
  },

  async handBack(h: Handoff, c: Credentials, ctx: AdapterContext): Promise<HandBack> {
    const settings = nbiSettings(h, ctx);
    if (settings) {
      const mac = h.extra.client_mac ?? h.clientMac;
      const ip = h.extra.uip ?? h.clientIp;
      if (!mac || !ip) throw new HandoffError('the redirect has no client_mac or uip for the NBI login');
      try {
        await new RuckusNbi(settings).login({ ip, mac, username: c.username, password: c.password });
      } catch (e) {
        if (e instanceof RuckusNbiError)
          throw new HandoffError(`the Ruckus controller did not log the guest in: ${e.message}`);
        throw e;
      }
      return { kind: 'done', url: h.originalUrl };
    }
    if (!h.loginUrl) throw new HandoffError('no NBI password is configured and the redirect has no sip');
    const fields: Record<string, string> = { username: c.username, password: c.password };
    if (h.extra.uip) fields.uip = h.extra.uip;
    if (h.extra.client_mac) fields.client_mac = h.extra.client_mac;
    if (h.originalUrl) fields.url = h.originalUrl;
    return { kind: 'form', action: h.loginUrl, method: 'POST', fields };
  },
};

/** The redirect's encrypted client MAC/IP made readable through the NBI, for records. */
export async function decryptRuckusHandoff(h: Handoff, ctx: AdapterContext): Promise<Handoff> {
  const settings = nbiSettings(h, ctx);
  if (!settings) return h;
  const nbi = new RuckusNbi(settings);
  const out: Handoff = { ...h, extra: { ...h.extra } };
  if (!h.clientMac && h.extra.client_mac && ENC.test(h.extra.client_mac)) {
    Object.assign(out, clientMacFields(await nbi.decrypt(h.extra.client_mac)));
  }
  if (!h.clientIp && h.extra.uip && ENC.test(h.extra.uip))
    out.clientIp = ipParam(await nbi.decrypt(h.extra.uip), 'client IP');
  return out;
}
