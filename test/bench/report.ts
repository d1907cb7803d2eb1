export interface Figure {
  bench: string;
  value: number;
  unit: string;
  baseline: string;
  baseline_value: number;
}

/** One JSON line per figure; ratio = value / baseline_value, measured in the same run. */
export function report(f: Figure): void {
  const ratio = f.baseline_value ? Number((f.value / f.baseline_value).toFixed(3)) : null;
  console.log(JSON.stringify({ bench: f.bench, value: round(f.value), unit: f.unit, baseline: f.baseline, baseline_value: round(f.baseline_value), ratio }));
}

const round = (n: number) => (Math.abs(n) >= 100 ? Math.round(n) : Number(n.toFixed(3)));
