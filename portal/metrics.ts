// Prometheus metrics. Each capability registers its own on this registry.
import client from 'prom-client';
import type { Queryable } from './store/db.ts';

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics(db?: Queryable) {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const counter = (name: string, help: string, labelNames: string[] = []) => new client.Counter({ name, help, labelNames, registers: [registry] });
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
    radiusPackets: counter('foyer_radius_packets_total', 'RADIUS packets by port, type and result', ['port', 'type', 'result']),
    smsSent: counter('foyer_sms_total', 'SMS by gateway, purpose and result', ['gateway', 'purpose', 'result']),
    // Read from the ledger head at scrape time: right across every process on the database.
    ledgerEvents: new client.Gauge({
      name: 'foyer_ledger_events',
      help: 'Consent events on the ledger',
      registers: [registry],
      async collect() {
        const head = await db?.get<{ count: number }>('SELECT count FROM ledger_head WHERE id = 1').catch(() => undefined);
        if (head) this.set(Number(head.count));
      },
    }),
    jobRuns: counter('foyer_job_runs_total', 'Scheduled job runs by job and result', ['job', 'result']),
  };
}
