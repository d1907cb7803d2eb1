// What access-points keeps in memory between requests, made once per process in
// buildContext (portal/context.ts) and handed to the adapters through their context.
import { ControllerClients } from './controller-clients.ts';
import { MemoryAuthmonStore } from './opennds-authmon.ts';

export interface AccessPointState {
  /** openNDS authmon (FAS level 3): authorisations waiting for the gateway's next poll. */
  authmon: MemoryAuthmonStore;
  /** Logged-in controller clients (UniFi), one per controller and its settings. */
  controllers: ControllerClients;
}

export function createAccessPointState(): AccessPointState {
  return { authmon: new MemoryAuthmonStore(), controllers: new ControllerClients() };
}
