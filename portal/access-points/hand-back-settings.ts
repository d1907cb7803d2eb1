// A NAS's hand-back settings: what the guest's hand-over to the NAS needs beyond RADIUS
// (identifier, UAM secret, CHAP or PAP, the controller API, login hosts, authmon), and how
// they are checked. access/nas-clients.ts stores them in its nas_clients rows.
import { z } from 'zod';
import { normaliseLoginHost } from './login-hosts.ts';

/**
 * Every field is optional: a NAS without them gets the vendor's default behaviour. In an
 * update, null clears a value and an absent key keeps it.
 */
export function nasPortalFields() {
  const opt = <T extends z.ZodTypeAny>(t: T) => t.nullable().optional();
  return {
    nasIdentifier: opt(z.string().trim().min(1).max(128)),
    uamSecret: opt(z.string().min(1).max(256)),
    authMethod: opt(z.enum(['chap', 'pap'])),
    controllerUrl: opt(
      z
        .string()
        .trim()
        .max(2048)
        .refine((s) => {
          try {
            const u = new URL(s);
            return (u.protocol === 'http:' || u.protocol === 'https:') && !u.username && !u.password;
          } catch {
            return false;
          }
        }, 'an http(s) URL such as https://unifi.example:8443 (credentials go in their own options)'),
    ),
    controllerUser: opt(z.string().min(1).max(256)),
    controllerPassword: opt(z.string().min(1).max(512)),
    controllerSite: opt(
      z
        .string()
        .trim()
        .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a site id or zone id (letters, digits, _ . -)'),
    ),
    controllerCa: opt(
      z
        .string()
        .max(65536)
        .refine((s) => s.includes('-----BEGIN CERTIFICATE-----'), 'a PEM certificate'),
    ),
    controllerInsecureTls: z.boolean().optional(),
    loginHosts: z
      .array(z.string())
      .max(32)
      .transform((list, c) => {
        const out: string[] = [];
        for (const raw of list) {
          const h = normaliseLoginHost(raw);
          if (!h) c.addIssue({ code: 'custom', message: `"${raw}" is not a host, host:port or *.domain` });
          else if (!out.includes(h)) out.push(h);
        }
        return out;
      })
      .optional(),
    authmon: z.boolean().optional(),
  };
}

export const nasPortalInput = z.object(nasPortalFields());

export interface NasPortalSettings {
  /** What the NAS's redirect names itself by (NAS-Identifier, identity, AP name, UniFi site …). */
  nasIdentifier?: string;
  /** UAM secret (CoovaChilli), FAS key (openNDS). */
  uamSecret?: string;
  authMethod?: 'chap' | 'pap';
  /** UniFi controller, Ruckus NBI, OPNsense API. */
  controller?: { url?: string; username?: string; password?: string; site?: string; ca?: string; insecureTls: boolean };
  /** Hosts (host, host:port, *.domain) the guest may be handed back to, besides the NAS's own address. */
  loginHosts: string[];
  /** openNDS FAS level 3: authorisations are fetched by authmon. */
  authmon: boolean;
}
