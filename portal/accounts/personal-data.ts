// "Network admins see no personal data": a guest's MAC and IP identify the guest's device,
// so pages a network admin may open show them masked. Enough is left to tell devices and
// subnets apart when troubleshooting (the vendor prefix and last byte of a MAC, the
// network half of an address); owners see them whole.
import { isIP } from 'node:net';
import type { Role } from './accounts.ts';

/** aa:bb:cc:dd:ee:ff -> aa:bb:cc:**:**:ff */
export function maskMac(mac: string | null | undefined): string | null {
  if (!mac) return null;
  const bytes = mac.toLowerCase().split(/[:-]/);
  if (bytes.length !== 6) return '**:**:**:**:**:**';
  return [...bytes.slice(0, 3), '**', '**', bytes[5]].join(':');
}

/** 10.0.0.5 -> 10.0.*.*; 2001:db8:1:2:a:b:c:d -> 2001:db8:1:2:* (the /64 only). */
export function maskIp(ip: string | null | undefined): string | null {
  if (!ip) return null;
  if (isIP(ip) === 4) return ip.split('.').slice(0, 2).concat('*', '*').join('.');
  if (isIP(ip) === 6) {
    const groups = ip.split('::')[0].split(':').filter(Boolean).slice(0, 4);
    return `${groups.join(':')}:*`;
  }
  return '*';
}

/** Whether this role may see guests' personal data (MAC, IP, number) at all. */
export const seesPersonalData = (role: Role): boolean => role !== 'network-admin';

/** A live session row for a console page: MAC and IP masked for roles that see no personal data (admin/session-view.ts says the rest in words). */
export function presentSession<T extends { mac: string | null; framed_ip: string | null }>(s: T, role: Role) {
  const whole = seesPersonalData(role);
  return { ...s, mac: whole ? s.mac : maskMac(s.mac), framed_ip: whole ? s.framed_ip : maskIp(s.framed_ip) };
}
