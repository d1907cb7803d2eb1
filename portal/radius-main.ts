// The RADIUS server as Foyer runs it: radius/ answers packets, portal/access/ decides.
// main.ts starts it beside HTTP; tests start it on port 0.
import { createRadiusServer, type RadiusServer } from '../radius/server.ts';
import type { RadiusObserver } from '../radius/types.ts';
import { accessLines, unredacted } from './log.ts';
import type { AppContext } from './context.ts';
import { NasDirectory } from './access/nas-clients.ts';
import { createAccessPolicy, type AccessPolicy } from './access/policy.ts';
import type { Disconnector } from './access/disconnect-request.ts';
import type { GrantState } from './access/grant-state.ts';

export interface RadiusService {
  authPort: number;
  acctPort: number;
  policy: AccessPolicy;
  /** The sockets' own handler, for tests that measure a request's cost without the kernel in it. */
  receive: RadiusServer['receive'];
  /** Stops listening, then waits for Disconnect-Requests already under way. */
  stop(): Promise<void>;
}

export async function startRadius(
  ctx: AppContext,
  o: {
    disconnect?: Disconnector;
    outdatedConsents?: (grant: GrantState) => Promise<string[]>;
    authPort?: number;
    acctPort?: number;
    host?: string;
  } = {},
): Promise<RadiusService> {
  const policy = createAccessPolicy({
    db: ctx.db,
    cipher: ctx.cipher,
    log: ctx.log,
    now: ctx.now,
    disconnect: o.disconnect,
    grantCacheMs: ctx.config.RADIUS_GRANT_CACHE_MS,
    grantChangesMs: 1000,
    outdatedConsents: o.outdatedConsents,
    caches: ctx.access,
  });
  const clients = new NasDirectory(ctx.db, ctx.cipher);
  const nasChanged = () => clients.invalidate();
  ctx.access.nasListeners.add(nasChanged);
  const server = createRadiusServer({
    clients,
    authorizer: policy,
    authPort: o.authPort ?? ctx.config.RADIUS_AUTH_PORT,
    acctPort: o.acctPort ?? ctx.config.RADIUS_ACCT_PORT,
    host: o.host ?? ctx.config.RADIUS_HOST,
    logger: ctx.log,
    decisionLogger: accessLines(unredacted(ctx.log)),
    observer: packetCounter(ctx),
  });
  const ports = await server.start();
  return {
    ...ports,
    policy,
    receive: server.receive,
    async stop() {
      await server.stop();
      await policy.settled();
      policy.close();
      ctx.access.nasListeners.delete(nasChanged);
    },
  };
}

/** Counts packets by port, type and result; each label set and its key made once (every packet passes here). */
function packetCounter(ctx: AppContext): RadiusObserver {
  type Labels = { port: string; type: string; result: string };
  const sets = new Map<string, Map<string, Map<string, { labels: Labels; key: string }>>>();
  return {
    packet(port, type, result) {
      let byType = sets.get(port);
      if (!byType) sets.set(port, (byType = new Map()));
      let byResult = byType.get(type);
      if (!byResult) byType.set(type, (byResult = new Map()));
      let set = byResult.get(result);
      // Results are a closed list (decisions, drop reasons): the map stays small.
      if (!set) byResult.set(result, (set = { labels: { port, type, result }, key: `${port} ${type} ${result}` }));
      ctx.metrics.radiusPackets.add(set.labels, set.key);
    },
  };
}
