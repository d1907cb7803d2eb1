// The FAS side of openNDS authmon (FAS level 3). authmon POSTs auth_get=clear|view|list|
// deauthed|custom with gatewayhash (and a base64 payload) to the FAS URL every few
// seconds; the FAS answers "*" followed by URL-encoded authorisation lines, and drops the
// lines whose rhid authmon acknowledges. Mounting this on a route is the web layer's job.
import type { PendingAuthQueue } from './handoff.ts';

export interface AuthmonStore extends PendingAuthQueue {
  list(gatewayHash: string): Promise<Array<{ key: string; entry: string }>>;
  remove(gatewayHash: string, key: string): Promise<void>;
  clear(gatewayHash: string): Promise<void>;
}

/** Process-local store: enough for one portal process; several need a shared one. */
export class MemoryAuthmonStore implements AuthmonStore {
  private readonly byGateway = new Map<string, Map<string, string>>();

  async put(gatewayHash: string, key: string, entry: string): Promise<void> {
    let m = this.byGateway.get(gatewayHash);
    if (!m) this.byGateway.set(gatewayHash, (m = new Map()));
    m.set(key, entry);
  }

  async list(gatewayHash: string) {
    return [...(this.byGateway.get(gatewayHash) ?? [])].map(([key, entry]) => ({ key, entry }));
  }

  async remove(gatewayHash: string, key: string): Promise<void> {
    this.byGateway.get(gatewayHash)?.delete(key);
  }

  async clear(gatewayHash: string): Promise<void> {
    this.byGateway.delete(gatewayHash);
  }
}

/** The response body for one authmon request (form fields as posted). */
export async function answerAuthmon(form: Record<string, string | undefined>, store: AuthmonStore): Promise<string> {
  const gw = form.gatewayhash;
  if (!gw || !/^[0-9a-f]{64}$/.test(gw)) return '';
  const payload = form.payload ? Buffer.from(form.payload, 'base64').toString('utf8') : 'none';
  switch (form.auth_get) {
    case 'clear':
      await store.clear(gw);
      return '';
    case 'deauthed':
    case 'custom':
      return 'ack';
    case 'list': {
      const all = await store.list(gw);
      for (const e of all) await store.remove(gw, e.key);
      return authList(all);
    }
    case 'view': {
      if (payload.trim() !== 'none' && payload.trim() !== '') {
        for (const rh of payload.split(/[\s*]+/).filter(Boolean)) await store.remove(gw, rh);
        return 'ack';
      }
      return authList(await store.list(gw));
    }
    default:
      return '';
  }
}

function authList(entries: Array<{ entry: string }>): string {
  return ['*', ...entries.map((e) => encodeURIComponent(e.entry))].join(' ');
}
