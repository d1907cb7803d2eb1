// Prometheus metrics. Each capability registers its own on this registry.
import client from 'prom-client';
import type { Queryable } from './store/db.ts';
import { ledgerEventCount } from './consent/head.ts';

export type Metrics = ReturnType<typeof createMetrics>;

/** Upper bounds (seconds) of the HTTP duration histogram's buckets. */
export const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

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

/** Observations on a path that runs per request: `observe` is a Map hit, a bucket search and two additions. */
export interface HistogramTally<L extends string> {
  observe(labels: Record<L, string>, key: string, value: number): void;
}

/**
 * A histogram kept as plain bucket counts per label set (named by `key`, as in tally) and
 * shown to prom-client's registry in the shape its own Histogram reports (buckets with le,
 * +Inf, _sum, _count): its observe() hashes and validates the labels on every call, and
 * every HTTP request makes one.
 */
export function histogramTally<L extends string>(
  registry: client.Registry,
  name: string,
  help: string,
  buckets: readonly number[],
): HistogramTally<L> {
  const series = new Map<string, { labels: Record<L, string>; counts: number[]; sum: number; count: number }>();
  const bounds = [...buckets].sort((a, b) => a - b);
  const metric = {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    get() {
      // The fields and order of prom-client's Histogram.get() (exemplar null on buckets, undefined on _sum and _count).
      const values: Array<{
        value: number;
        metricName: string;
        exemplar: null | undefined;
        labels: Record<string, string | number>;
      }> = [];
      const bucket = `${name}_bucket`;
      for (const s of series.values()) {
        let acc = 0;
        bounds.forEach((le, i) => {
          acc += s.counts[i];
          values.push({ value: acc, metricName: bucket, exemplar: null, labels: { le, ...s.labels } });
        });
        values.push({ value: s.count, metricName: bucket, exemplar: null, labels: { le: '+Inf', ...s.labels } });
        values.push({ value: s.sum, metricName: `${name}_sum`, exemplar: undefined, labels: { ...s.labels } });
        values.push({ value: s.count, metricName: `${name}_count`, exemplar: undefined, labels: { ...s.labels } });
      }
      return { name, help, type: 'histogram', values, aggregator: 'sum' };
    },
    reset() {
      series.clear();
    },
  };
  registry.registerMetric(metric as unknown as client.Metric);
  return {
    observe(labels, key, value) {
      let s = series.get(key);
      if (!s) series.set(key, (s = { labels, counts: bounds.map(() => 0), sum: 0, count: 0 }));
      // Counts per bucket alone (prom-client's too); get() adds them up into "le" buckets.
      for (let i = 0; i < bounds.length; i++) {
        if (value <= bounds[i]) {
          s.counts[i]++;
          break;
        }
      }
      s.sum += value;
      s.count++;
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
    // Both fed on every HTTP request (app.ts): plain counts, handed over when /metrics is read.
    httpRequests: tally(registry, 'foyer_http_requests_total', 'HTTP requests by route and status', [
      'route',
      'status',
    ]),
    httpDuration: histogramTally<'route'>(
      registry,
      'foyer_http_request_duration_seconds',
      'HTTP request duration by route',
      HTTP_BUCKETS,
    ),
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
