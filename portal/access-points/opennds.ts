// openNDS Forwarding Authentication Service. openNDS does not speak RADIUS: Foyer decides,
// then tells the gateway: levels 0–2 by sending the guest to http://gatewayaddress/authdir/
// with tok (level 0 the token, levels 1–2 the hashed hid), level 3 by queueing the
// authorisation for the authmon daemon, which polls the FAS over https.
import type { AccessPointAdapter, AdapterContext, Credentials, HandBack, Handoff } from './handoff.ts';
import { HandoffError } from './handoff.ts';
import { decodeFasLevel1, decryptFas, gatewayHash, rhid } from './opennds-fas.ts';
import { clientMacFields, compact, ipParam, macParam, pick, text, type Query } from './params.ts';
import { httpUrl, originalUrl, withQuery } from './safe-url.ts';

function decoded(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

/** The gateway's values, from whichever FAS level produced this redirect. */
function fields(q: Query, ctx: AdapterContext): { level: string; v: Record<string, string | undefined> } {
  const fas = pick(q, 'fas');
  const iv = pick(q, 'iv');
  if (fas && iv) return { level: '2', v: decryptFas(fas, iv, ctx.uamSecret) };
  if (fas) return { level: '1', v: decodeFasLevel1(fas) };
  if (pick(q, 'tok')) return { level: '0', v: q };
  if (pick(q, 'hid')) return { level: '1', v: q };
  throw new HandoffError('the redirect carries neither fas, hid nor tok');
}

export const opennds: AccessPointAdapter = {
  vendor: 'opennds',

  detect(q) {
    return (
      q.fas !== undefined ||
      q.hid !== undefined ||
      (q.tok !== undefined && q.authaction !== undefined) ||
      (q.gatewayname !== undefined && q.clientip !== undefined)
    );
  },

  parse(q: Query, ctx: AdapterContext): Handoff {
    const { level, v } = fields(q, ctx);
    const gatewayaddress = v.gatewayaddress;
    const authdir = (v.authdir ?? 'opennds_auth').replace(/^\/+|\/+$/g, '');
    if (!/^[A-Za-z0-9_.-]+$/.test(authdir)) throw new HandoffError('the authdir is not a path segment');
    let loginUrl: string | undefined;
    if (level === '0') {
      loginUrl = httpUrl(v.authaction);
      if (!loginUrl) throw new HandoffError('the authaction is not an http(s) URL');
    } else if (gatewayaddress) {
      if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:]+\](:\d{1,5})?$/i.test(gatewayaddress)) {
        throw new HandoffError('the gatewayaddress is not host:port');
      }
      loginUrl = `http://${gatewayaddress}/${authdir}/`;
    }
    if (!loginUrl && !ctx.pendingAuth)
      throw new HandoffError('the redirect has no gatewayaddress to send the guest back to');
    return {
      vendor: 'opennds',
      ...clientMacFields(v.clientmac),
      clientIp: ipParam(v.clientip, 'client IP'),
      nasId: text(decoded(v.gatewayname)),
      apMac: macParam(v.gatewaymac, 'gateway MAC'),
      loginUrl,
      originalUrl: originalUrl(decoded(v.originurl), decoded(v.redir), decoded(q.redir)),
      extra: compact({
        level,
        tok: level === '0' ? text(v.tok, 64) : undefined,
        hid: text(v.hid, 128),
        gatewayname: text(v.gatewayname, 256),
        clientif: text(decoded(v.clientif), 128),
      }),
    };
  },

  async handBack(h: Handoff, _c: Credentials, ctx: AdapterContext): Promise<HandBack> {
    const { tok, hid, gatewayname } = h.extra;
    if (tok && h.loginUrl) return { kind: 'redirect', url: withQuery(h.loginUrl, { tok, redir: h.originalUrl }) };
    if (!hid) throw new HandoffError('the redirect had neither tok nor hid');
    if (!ctx.uamSecret) throw new HandoffError('no faskey is configured for this NAS');
    const token = rhid(hid, ctx.uamSecret);
    if (ctx.pendingAuth && h.extra.level === '2') {
      if (!gatewayname) throw new HandoffError('the redirect had no gateway name for authmon');
      // Hashed as it arrived (URL-encoded), like openNDS's own FAS scripts do.
      await ctx.pendingAuth.put(gatewayHash(gatewayname), token, authmonEntry(token, ctx));
      return { kind: 'done', url: h.originalUrl };
    }
    if (!h.loginUrl) throw new HandoffError('the redirect has no gatewayaddress to send the guest back to');
    return { kind: 'redirect', url: withQuery(h.loginUrl, { tok: token, redir: h.originalUrl }) };
  },
};

/** authmon's line: "rhid sessionlength uploadrate downloadrate uploadquota downloadquota custom". */
export function authmonEntry(token: string, ctx: AdapterContext): string {
  const g = ctx.grant ?? {};
  const n = (x: number | undefined) => String(Math.max(0, Math.floor(x ?? 0)));
  return [
    token,
    n(g.minutes),
    n(g.upKbps),
    n(g.downKbps),
    n((g.megabytes ?? 0) * 1000),
    n((g.megabytes ?? 0) * 1000),
    'foyer',
  ].join(' ');
}
