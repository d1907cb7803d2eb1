// OPNsense's admin API for the captive portal (API key and secret as HTTP basic auth).
// session/connect allows an address into a zone the way the portal's own logon does after
// a successful login: {"clientState":"AUTHORIZED","sessionId":…}.
import type { ControllerSettings } from './handoff.ts';
import { httpCall, isRecord, parseJson } from './http-client.ts';

export class OpnsenseError extends Error {}

export class OpnsenseApi {
  private readonly base: string;

  constructor(private readonly settings: ControllerSettings) {
    this.base = settings.url.replace(/\/+$/, '');
  }

  async connect(zoneid: string, user: string, ip: string): Promise<Record<string, unknown>> {
    if (!/^\d{1,3}$/.test(zoneid)) throw new OpnsenseError('the zone id is not a number');
    const auth = Buffer.from(`${this.settings.username ?? ''}:${this.settings.password ?? ''}`).toString('base64');
    const res = await httpCall(
      `${this.base}/api/captiveportal/session/connect/${zoneid}`,
      {
        method: 'POST',
        headers: { authorization: `Basic ${auth}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ user, ip }).toString(),
      },
      this.settings,
    );
    if (res.status === 401 || res.status === 403) throw new OpnsenseError(`API key refused (HTTP ${res.status})`);
    const json = parseJson(res.body);
    if (res.status !== 200 || !isRecord(json)) throw new OpnsenseError(`unexpected answer (HTTP ${res.status})`);
    if (json.clientState !== 'AUTHORIZED')
      throw new OpnsenseError(`client state ${String(json.clientState ?? 'missing')}`);
    return json;
  }
}
