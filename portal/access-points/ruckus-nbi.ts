// Ruckus SmartZone / RUCKUS One Northbound Portal Interface: JSON POSTed to
// http://<nbiIP>:9080/portalintf (https on 8443 where enabled). Every request carries
// Vendor, APIVersion "1.0", RequestPassword (the NBI password set on the controller),
// RequestCategory and RequestType. Answers carry ResponseCode and ReplyMessage:
// 101 client authorized, 201 login succeeded, 200 OK (GetConfig), 202 pending, 3xx/4xx errors.
import type { ControllerSettings } from './handoff.ts';
import { httpCall, isRecord, parseJson } from './http-client.ts';

export class RuckusNbiError extends Error {
  constructor(
    message: string,
    readonly responseCode?: number,
  ) {
    super(message);
  }
}

export interface NbiReply {
  ResponseCode: number;
  ReplyMessage?: string;
  [k: string]: unknown;
}

export class RuckusNbi {
  constructor(private readonly settings: ControllerSettings) {}

  /** Logs the UE in; the controller sends the Access-Request with these credentials. */
  async login(ue: { ip: string; mac: string; username: string; password: string }): Promise<NbiReply> {
    const reply = await this.request({
      RequestCategory: 'UserOnlineControl',
      RequestType: 'Login',
      'UE-IP': ue.ip,
      'UE-MAC': ue.mac,
      'UE-Proxy': '0',
      'UE-Username': ue.username,
      'UE-Password': ue.password,
    });
    if (reply.ResponseCode !== 201 && reply.ResponseCode !== 101) {
      throw new RuckusNbiError(
        `login not accepted: ${reply.ResponseCode} ${reply.ReplyMessage ?? ''}`.trim(),
        reply.ResponseCode,
      );
    }
    return reply;
  }

  /** Decrypts an ENC… value from the redirect (client_mac, uip). */
  async decrypt(data: string): Promise<string> {
    const reply = await this.request({ RequestCategory: 'GetConfig', RequestType: 'Decrypt', Data: data });
    if (reply.ResponseCode !== 200 || typeof reply.Data !== 'string') {
      throw new RuckusNbiError(
        `decrypt failed: ${reply.ResponseCode} ${reply.ReplyMessage ?? ''}`.trim(),
        reply.ResponseCode,
      );
    }
    return reply.Data;
  }

  private async request(body: Record<string, string>): Promise<NbiReply> {
    const res = await httpCall(
      this.settings.url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          Vendor: 'ruckus',
          RequestPassword: this.settings.password ?? '',
          APIVersion: '1.0',
          ...body,
        }),
      },
      this.settings,
    );
    const json = parseJson(res.body);
    if (res.status !== 200 || !isRecord(json) || typeof json.ResponseCode !== 'number') {
      throw new RuckusNbiError(`the NBI answered HTTP ${res.status} without a ResponseCode`);
    }
    return json as NbiReply;
  }
}
