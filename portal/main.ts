// `npm start`: configuration, database (migrated), demo venue, HTTP, RADIUS, jobs.
import { createServer, type Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import { loadConfig, ConfigError } from './config.ts';
import { batchedStdout, createLogger } from './log.ts';
import { buildContext, type AppContext } from './context.ts';
import { createApp } from './app.ts';
import { seedDemo } from './seed.ts';
import { jobs } from './jobs/index.ts';
import { scheduleJobs } from './jobs/scheduler.ts';
import { startRadius, type RadiusService } from './radius-main.ts';
import { outdatedConsents } from './consent/reconsent.ts';
import { coaDisconnector } from './access/coa.ts';

export interface Running {
  ctx: AppContext;
  http: Server;
  radius: RadiusService;
  stop(): Promise<void>;
}

export async function start(env: NodeJS.ProcessEnv = process.env): Promise<Running> {
  const config = loadConfig(env);
  const log = createLogger(config.LOG_LEVEL, batchedStdout());
  const ctx = await buildContext(config, log);
  if (config.DEMO_SEED && (await seedDemo(ctx.db))) log.info({ venue: 'demo' }, 'seeded the demo venue');

  const app = createApp(ctx);
  const http = createServer(app.callback());
  // Slow clients must not hold sockets forever; keep-alive a little longer than typical proxies.
  http.requestTimeout = 30_000;
  http.headersTimeout = 15_000;
  http.keepAliveTimeout = 65_000;
  http.maxHeadersCount = 100;
  await new Promise<void>((res) => http.listen(config.PORT, config.HOST, res));
  const radius = await startRadius(ctx, {
    disconnect: coaDisconnector(),
    outdatedConsents: (grant) => outdatedConsents(ctx, grant),
  });

  const scheduler = config.JOBS
    ? scheduleJobs(jobs, { db: ctx.db, log, now: ctx.now, cipher: ctx.cipher }, ctx.metrics)
    : undefined;

  const port = (http.address() as { port: number }).port;
  const base = config.PUBLIC_URL ?? `http://localhost:${port}`;
  log.info({ port, database: ctx.db.dialect }, 'Foyer is listening');

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      scheduler?.stop();
      await radius.stop();
      // Stop accepting; requests in flight finish; idle keep-alive sockets close.
      await new Promise<void>((res) => {
        http.close(() => res());
        http.closeIdleConnections();
      });
      await ctx.sms.close();
      await ctx.db.close();
      log.info('Foyer stopped');
    })());

  if (env.FOYER_QUIET !== '1') {
    console.log(`
Foyer is running (${ctx.db.dialect}: ${ctx.db.dialect === 'sqlite' ? config.databaseUrl : 'postgres'}).
  Guest portal:  ${base}/p/demo
  Admin:         ${base}/admin   (create an account: npx foyer admin add --email you@example.com --password '…' --role owner)
  Health:        ${base}/healthz
  RADIUS:        auth udp/${radius.authPort}, accounting udp/${radius.acctPort} on ${config.RADIUS_HOST}
  Add a NAS:     npx foyer nas add --name ap1 --ip 192.0.2.10 --secret '…' --vendor coovachilli --venue demo
  SMS outbox:    ${config.smsGateway === 'console' ? config.smsOutbox : config.smsGateway}
`);
  }
  return { ctx, http, radius, stop };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const running = await start();
    for (const sig of ['SIGTERM', 'SIGINT'] as const) {
      process.once(sig, () => {
        running.stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
        setTimeout(() => process.exit(1), 10_000).unref();
      });
    }
  } catch (err) {
    if (err instanceof ConfigError) console.error(err.message);
    else console.error('Foyer could not start:', (err as Error).message);
    process.exit(1);
  }
}
