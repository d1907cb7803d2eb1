// Log lines about dropped packets, at most one per source per window with a count
// of what was held back: a flood must not turn into a flood of log lines.
import type { Logger } from './types.ts';

interface Window {
  until: number;
  suppressed: number;
}

export class DropLog {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly logger: Logger,
    private readonly windowMs = 10_000,
    private readonly maxSources = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  drop(source: string, port: 'auth' | 'acct', reason: string, detail?: string): void {
    const t = this.now();
    const w = this.windows.get(source);
    if (w && t < w.until) {
      w.suppressed++;
      return;
    }
    // Too many distinct sources (spoofed flood): forget them all rather than grow.
    if (!w && this.windows.size >= this.maxSources) this.windows.clear();
    this.windows.set(source, { until: t + this.windowMs, suppressed: 0 });
    this.logger.warn(
      { source, port, reason, detail, suppressedSinceLast: w?.suppressed ?? 0, windowSeconds: this.windowMs / 1000 },
      'radius packet dropped',
    );
  }
}
