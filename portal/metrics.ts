// Prometheus metrics. Each capability registers its own on this registry.
import client from 'prom-client';

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics() {
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
    ledgerAppends: counter('foyer_ledger_appends_total', 'Ledger events appended by purpose and decision', ['purpose', 'decision']),
    jobRuns: counter('foyer_job_runs_total', 'Scheduled job runs by job and result', ['job', 'result']),
  };
}
