// Management-API clients (the UniFi controller's) kept between guests, so a busy venue logs
// in once per controller rather than once per guest. One pool per process, made in
// buildContext (process-state.ts): nothing is shared through module scope.
import type { ControllerClientPool, ControllerSettings } from './handoff.ts';

export class ControllerClients implements ControllerClientPool {
  private readonly byKey = new Map<string, object>();

  get<T extends object>(kind: string, s: ControllerSettings, open: (s: ControllerSettings) => T): T {
    // Every setting is in the key: a changed password, site or CA gets a new client.
    const key = JSON.stringify([kind, s.url, s.username, s.password, s.site, s.ca, s.insecureTls]);
    let client = this.byKey.get(key) as T | undefined;
    if (!client) this.byKey.set(key, (client = open(s)));
    return client;
  }
}
