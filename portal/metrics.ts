// Prometheus metrics. Each capability registers its own on this registry.
import client from 'prom-client';
import type { Queryable } from './store/db.ts';
import { ledgerEventCount } from './consent/head.ts';

export type Metrics = ReturnType<typeof createMetrics>;

/** Counts on a path that runs per packet: `add` is a Map hit and an addition. */
export interface Tally<L extends string> {
  add(labels: Record<L, string>, key: string): void;
}

/**
 * A counter fed from plain numbers, handed to prom-client when /metrics is read:
 * prom-client hashes and validates the label set on every inc(), which on the RADIUS
 * path cost more than the rest of the bookkeeping. `key` names the label set (the
 * caller builds it cheaper than a hash of the labels).
 */
function tally<L extends string>(
  registry: client.Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
): Tally<L> {
  const pending = new Map<string, { labels: Record<L, string>; n: number }>();
  new client.Counter<L>({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      for (const p of pending.values()) {
        if (p.n) this.inc(p.labels, p.n);
        p.n = 0;
      }
    },
  });
  return {
    add(labels, key) {
      const p = pending.get(key);
      if (p) p.n++;
      else pending.set(key, { labels, n: 1 });
    },
  };
}

export function createMetrics(db?: Queryable) {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const counter = (name: string, help: string, labelNames: string[] = []) =>
    new client.Counter({ name, help, labelNames, registers: [registry] });
  return {
    registry,
    httpRequests: counter('foyer_http_requests_total', 'HTTP requests by route and status', ['route', 'status']),
    httpDuration: new client.Histogram({
      name: 'foyer_http_request_duration_seconds',
      help: 'HTTP request duration by route',
      labelNames: ['route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    radiusPackets: tally(registry, 'foyer_radius_packets_total', 'RADIUS packets by port, type and result', [
      'port',
      'type',
      'result',
    ]),
    smsSent: counter('foyer_sms_total', 'SMS by gateway, purpose and result', ['gateway', 'purpose', 'result']),
    // Read from the ledger head at scrape time: right across every process on the database.
    ledgerEvents: new client.Gauge({
      name: 'foyer_ledger_events',
      help: 'Consent events on the ledger',
      registers: [registry],
      async collect() {
        const count = db && (await ledgerEventCount(db).catch(() => undefined));
        if (count !== undefined) this.set(count);
      },
    }),
    jobRuns: counter('foyer_job_runs_total', 'Scheduled job runs by job and result', ['job', 'result']),
  };
}
