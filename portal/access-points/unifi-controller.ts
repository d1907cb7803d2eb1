// The UniFi Network controller's hotspot API, as the external-portal guide uses it: log in,
// then POST {cmd:'authorize-guest', mac, minutes, up, down, bytes} to
// /api/s/<site>/cmd/stamgr. A self-hosted controller logs in at /api/login (cookie
// unifises, plus csrf_token on newer versions); a UniFi OS console (UDM, Cloud Key Gen2+)
// at /api/auth/login (cookie TOKEN, X-CSRF-Token header), with the Network app behind
// /proxy/network. Answers are {meta:{rc:'ok'|'error', msg}, data:[…]}.
import type { ControllerSettings, GrantLimits } from './handoff.ts';
import { CookieJar, httpCall, isRecord, parseJson, type HttpResult } from './http-client.ts';

export class UnifiError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface AuthorizeGuest {
  mac: string;
  apMac?: string;
  limits?: GrantLimits;
}

export class UnifiController {
  private readonly base: string;
  private readonly site: string;
  private jar = new CookieJar();
  private csrf?: string;
  private unifiOs?: boolean;

  constructor(private readonly settings: ControllerSettings) {
    this.base = settings.url.replace(/\/+$/, '');
    this.site = settings.site || 'default';
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(this.site)) throw new UnifiError('the UniFi site name is not a site id');
  }

  /** Logs in, trying UniFi OS first and the classic controller when that path is absent. */
  async login(): Promise<void> {
    const body = JSON.stringify({
      username: this.settings.username ?? '',
      password: this.settings.password ?? '',
      remember: false,
    });
    this.jar = new CookieJar();
    this.csrf = undefined;
    let res = await this.post('/api/auth/login', body);
    if (res.status === 404) {
      res = await this.post('/api/login', body);
      this.unifiOs = false;
    } else {
      this.unifiOs = true;
    }
    if (res.status !== 200) throw new UnifiError(`controller login refused (HTTP ${res.status})`, res.status);
    this.jar.take(res.headers);
    this.csrf = header(res, 'x-csrf-token') ?? this.jar.get('csrf_token');
    if (!this.jar.header()) throw new UnifiError('controller login set no session cookie');
  }

  /** Authorises the guest's device; logs in (again) when the session is missing or expired. */
  async authorizeGuest(a: AuthorizeGuest): Promise<Record<string, unknown>> {
    const payload: Record<string, unknown> = { cmd: 'authorize-guest', mac: a.mac.toLowerCase() };
    const l = a.limits ?? {};
    if (l.minutes) payload.minutes = Math.ceil(l.minutes);
    if (l.upKbps) payload.up = Math.floor(l.upKbps);
    if (l.downKbps) payload.down = Math.floor(l.downKbps);
    if (l.megabytes) payload.bytes = Math.floor(l.megabytes);
    if (a.apMac) payload.ap_mac = a.apMac.toLowerCase();
    return this.command('stamgr', payload);
  }

  async unauthorizeGuest(mac: string): Promise<Record<string, unknown>> {
    return this.command('stamgr', { cmd: 'unauthorize-guest', mac: mac.toLowerCase() });
  }

  private async command(manager: string, payload: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (this.unifiOs === undefined) await this.login();
    let res = await this.post(this.apiPath(`/cmd/${manager}`), JSON.stringify(payload));
    if (res.status === 401) {
      await this.login();
      res = await this.post(this.apiPath(`/cmd/${manager}`), JSON.stringify(payload));
    }
    this.jar.take(res.headers);
    this.csrf = header(res, 'x-updated-csrf-token') ?? this.csrf;
    const json = parseJson(res.body);
    const meta = isRecord(json) && isRecord(json.meta) ? json.meta : undefined;
    if (res.status !== 200 || meta?.rc !== 'ok') {
      const msg = typeof meta?.msg === 'string' ? meta.msg : `HTTP ${res.status}`;
      throw new UnifiError(`controller refused ${String(payload.cmd)}: ${msg}`, res.status);
    }
    const data = isRecord(json) && Array.isArray(json.data) ? json.data : [];
    return isRecord(data[0]) ? data[0] : {};
  }

  private apiPath(rest: string): string {
    return `${this.unifiOs ? '/proxy/network' : ''}/api/s/${this.site}${rest}`;
  }

  private post(path: string, body: string): Promise<HttpResult> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const cookie = this.jar.header();
    if (cookie) headers.cookie = cookie;
    if (this.csrf) headers['x-csrf-token'] = this.csrf;
    return httpCall(this.base + path, { method: 'POST', headers, body }, this.settings);
  }
}

function header(res: HttpResult, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
