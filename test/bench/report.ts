export interface Figure {
  bench: string;
  value: number;
  unit: string;
  baseline: string;
  baseline_value: number;
  /**
   * The load generator's CPU share of one core in percent (the highest of its processes),
   * printed so a reader can see it was not the bottleneck; and the server's, when known.
   */
  generator_cpu_pct?: number;
  server_cpu_pct?: number;
  /** The load generator's CPU (all its processes) per operation it completed, in µs: what its own cost is, whatever the rate. */
  generator_cpu_us_per_op?: number;
  /** The server's CPU (all its processes) per operation, in ms; and its database's, where that runs on this machine. */
  server_cpu_ms_per_op?: number;
  database_cpu_ms_per_op?: number;
}

/** One JSON line per figure; ratio = value / baseline_value, measured in the same run. */
export function report(f: Figure): void {
  const ratio = f.baseline_value ? Number((f.value / f.baseline_value).toFixed(3)) : null;
  const cpu = {
    ...(f.generator_cpu_pct !== undefined ? { generator_cpu_pct: Math.round(f.generator_cpu_pct) } : {}),
    ...(f.server_cpu_pct !== undefined ? { server_cpu_pct: Math.round(f.server_cpu_pct) } : {}),
    ...(f.generator_cpu_us_per_op !== undefined
      ? { generator_cpu_us_per_op: Math.round(f.generator_cpu_us_per_op) }
      : {}),
    ...(f.server_cpu_ms_per_op !== undefined ? { server_cpu_ms_per_op: round(f.server_cpu_ms_per_op) } : {}),
    ...(f.database_cpu_ms_per_op !== undefined ? { database_cpu_ms_per_op: round(f.database_cpu_ms_per_op) } : {}),
  };
  console.log(
    JSON.stringify({
      bench: f.bench,
      value: round(f.value),
      unit: f.unit,
      baseline: f.baseline,
      baseline_value: round(f.baseline_value),
      ratio,
      ...cpu,
    }),
  );
}

const round = (n: number) => (Math.abs(n) >= 100 ? Math.round(n) : Number(n.toFixed(3)));
