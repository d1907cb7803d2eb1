// The `nas add` / `nas set` options for what a NAS needs beyond RADIUS (010_nas_portal):
// declared once here so both commands, and the guides, name them the same way.
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import type { z } from 'zod';
import type { NasRecord } from '../access/nas-clients.ts';
import type { nasPortalInput } from '../access-points/hand-back-settings.ts';

type PortalInput = z.input<typeof nasPortalInput>;

const collect = (v: string, prev: string[] = []) => [
  ...prev,
  ...v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];

const pem = (file: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new InvalidArgumentError(`cannot read ${file}: ${(err as Error).message}`);
  }
};

const method = (v: string) => {
  if (v !== 'chap' && v !== 'pap') throw new InvalidArgumentError('--auth must be chap or pap');
  return v;
};

/** Adds the portal options to a command. */
export function portalOptions(cmd: Command): Command {
  return cmd
    .option(
      '--nas-id <id>',
      'what the redirect names this NAS by: NAS-Identifier/nasid (CoovaChilli), identity or server-name (MikroTik), AP name or MAC (Meraki, Cisco), gatewayname (openNDS), site (UniFi), zone (pfSense)',
    )
    .option('--uam-secret <secret>', 'CoovaChilli uamsecret, or the openNDS faskey')
    .option(
      '--auth <chap|pap>',
      "how the NAS sends the guest's password (CoovaChilli, MikroTik); default chap where the NAS sends a challenge",
      method,
    )
    .option(
      '--controller-url <url>',
      'management API: UniFi controller (https://host:8443), Ruckus NBI (http://host:9080/portalintf), OPNsense (https://host)',
    )
    .option('--controller-user <user>', 'UniFi admin user, or the OPNsense API key')
    .option(
      '--controller-password <password>',
      'UniFi admin password, Ruckus NBI RequestPassword, or the OPNsense API secret',
    )
    .option('--site <site>', 'UniFi site id (default: default), or the OPNsense zone id')
    .option('--controller-ca <file>', "PEM file of the private CA that signed the controller's certificate", pem)
    .option('--controller-insecure-tls', 'accept any controller certificate (only on a private management network)')
    .option(
      '--login-host <host>',
      "a host (host, host:port or *.domain) the NAS takes guests' logins at, besides its own address; repeat or separate with commas",
      collect,
    )
    .option('--authmon', "openNDS FAS level 3: authorisations are collected by the gateway's authmon");
}

export interface PortalOptionValues {
  nasId?: string;
  uamSecret?: string;
  auth?: 'chap' | 'pap';
  controllerUrl?: string;
  controllerUser?: string;
  controllerPassword?: string;
  site?: string;
  controllerCa?: string;
  controllerInsecureTls?: boolean;
  loginHost?: string[];
  authmon?: boolean;
  clear?: string[];
}

/** The parsed options as addNas/updateNasPortal input; only what was given. */
export function portalInput(o: PortalOptionValues): PortalInput {
  const out: PortalInput = {};
  if (o.nasId !== undefined) out.nasIdentifier = o.nasId;
  if (o.uamSecret !== undefined) out.uamSecret = o.uamSecret;
  if (o.auth !== undefined) out.authMethod = o.auth;
  if (o.controllerUrl !== undefined) out.controllerUrl = o.controllerUrl;
  if (o.controllerUser !== undefined) out.controllerUser = o.controllerUser;
  if (o.controllerPassword !== undefined) out.controllerPassword = o.controllerPassword;
  if (o.site !== undefined) out.controllerSite = o.site;
  if (o.controllerCa !== undefined) out.controllerCa = o.controllerCa;
  if (o.controllerInsecureTls) out.controllerInsecureTls = true;
  if (o.loginHost !== undefined) out.loginHosts = o.loginHost;
  if (o.authmon) out.authmon = true;
  return out;
}

export const CLEARABLE = ['nas-id', 'uam-secret', 'auth', 'controller', 'login-hosts', 'authmon'] as const;

/** `nas set --clear …`: the settings to remove. */
export function clearedInput(names: readonly string[]): PortalInput {
  const out: PortalInput = {};
  for (const n of names) {
    if (n === 'nas-id') out.nasIdentifier = null;
    else if (n === 'uam-secret') out.uamSecret = null;
    else if (n === 'auth') out.authMethod = null;
    else if (n === 'controller')
      Object.assign(out, {
        controllerUrl: null,
        controllerUser: null,
        controllerPassword: null,
        controllerSite: null,
        controllerCa: null,
        controllerInsecureTls: false,
      });
    else if (n === 'login-hosts') out.loginHosts = [];
    else if (n === 'authmon') out.authmon = false;
    else throw new InvalidArgumentError(`--clear takes: ${CLEARABLE.join(', ')}`);
  }
  return out;
}

/** One line for `nas list`: the portal settings, secrets only as set or not. */
export function describePortal(n: NasRecord): string {
  const p = n.portal;
  const parts: string[] = [];
  if (p.nasIdentifier) parts.push(`nas-id ${p.nasIdentifier}`);
  if (p.uamSecret) parts.push('uam-secret set');
  if (p.authMethod) parts.push(`auth ${p.authMethod}`);
  if (p.controller) {
    const c = p.controller;
    parts.push(
      `controller ${c.url ?? '(from redirect)'}${c.site ? ` site ${c.site}` : ''}${c.username ? ` user ${c.username}` : ''}${c.password ? ' password set' : ''}${c.insecureTls ? ' insecure-tls' : ''}`,
    );
  }
  if (p.loginHosts.length) parts.push(`login-hosts ${p.loginHosts.join(',')}`);
  if (p.authmon) parts.push('authmon');
  return parts.join('\t');
}
