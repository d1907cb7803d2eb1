// The access-point adapter for a redirect. Uses the vendor adapters of
// portal/access-points/ when that module is present; until then a generic reader of
// the common parameter names, behind the same Handoff type.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AccessPointAdapter, Credentials, HandBack, Handoff } from '../access-points/handoff.ts';
import { HandoffError } from '../access-points/handoff.ts';
import { normaliseMac } from '../access/mac.ts';

type Detect = (query: Record<string, string>) => AccessPointAdapter;

const first = (q: Record<string, string>, names: string[]) => names.map((n) => q[n]).find((v) => typeof v === 'string' && v.length > 0);

export function httpUrl(raw: string | undefined): string | undefined {
  if (!raw || raw.length > 2048) return undefined;
  try {
    const u = new URL(raw);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}

/** Reads the names most gateways use; the vendor adapters know each vendor exactly. */
export const genericAdapter: AccessPointAdapter = {
  vendor: 'generic',
  detect: () => true,
  parse(q) {
    const rawMac = first(q, ['mac', 'client_mac', 'clientmac', 'id']);
    const clientMac = normaliseMac(rawMac);
    if (rawMac && !clientMac) throw new HandoffError('the client MAC address is not a MAC address');
    const loginRaw = first(q, ['login_url', 'loginurl', 'link-login-only', 'switch_url']);
    const loginUrl = httpUrl(loginRaw);
    if (loginRaw && !loginUrl) throw new HandoffError('the login address is not an http(s) URL');
    const clip = (v: string | undefined, n = 128) => (v ? v.slice(0, n) : undefined);
    return {
      vendor: 'generic',
      clientMac,
      clientIp: clip(first(q, ['ip', 'client_ip', 'clientip']), 64),
      nasId: clip(first(q, ['nasid', 'nas_id', 'called', 'ap'])),
      apMac: normaliseMac(first(q, ['ap_mac', 'apmac'])),
      ssid: clip(first(q, ['ssid']), 64),
      loginUrl,
      originalUrl: httpUrl(first(q, ['url', 'userurl', 'orig_url', 'redirect', 'dst'])),
      extra: {},
    };
  },
  async handBack(h: Handoff, c: Credentials): Promise<HandBack> {
    if (!h.loginUrl) return { kind: 'done', url: h.originalUrl };
    const fields: Record<string, string> = { username: c.username, password: c.password };
    if (h.originalUrl) fields.dst = h.originalUrl;
    return { kind: 'form', action: h.loginUrl, method: 'POST', fields };
  },
};

let detect: Detect | undefined;

/** The adapter for these redirect parameters. */
export async function adapterForQuery(query: Record<string, string>): Promise<AccessPointAdapter> {
  return (await loadDetect())(query);
}

/** The adapter that read a stored Handoff. */
export async function adapterForHandoff(h: Handoff): Promise<AccessPointAdapter> {
  if (h.vendor === 'generic') return genericAdapter;
  const mod = await vendorModule();
  return mod?.adapterFor?.(h.vendor) ?? genericAdapter;
}

interface VendorModule {
  detectAdapter?: Detect;
  adapterFor?: (vendor: string) => AccessPointAdapter | undefined;
}

let vendorMod: VendorModule | null | undefined;
async function vendorModule(): Promise<VendorModule | null> {
  if (vendorMod !== undefined) return vendorMod;
  const file = fileURLToPath(new URL('../access-points/index.ts', import.meta.url));
  // A path in a variable: the module is optional while the vendor adapters are being built.
  const spec = '../access-points/index.ts';
  vendorMod = existsSync(file) ? ((await import(spec)) as VendorModule) : null;
  return vendorMod;
}

async function loadDetect(): Promise<Detect> {
  if (detect) return detect;
  const mod = await vendorModule();
  detect = mod?.detectAdapter ?? (() => genericAdapter);
  return detect;
}
