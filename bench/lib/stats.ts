/** What the load generator is asked to do and what it reports (shared by the worker and its caller). */
export interface LoadJob {
  host: string;
  port: number;
  /** Requested round-robin, one after another across all connections. */
  paths: string[];
  headers: Record<string, string>;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
}

export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export interface LoadResult {
  /** Successful (200) answers completed inside the measured window. */
  requests: number;
  /** Non-200 answers and failed requests inside the window. */
  errors: number;
  statuses: Record<string, number>;
  seconds: number;
  rps: number;
  /** Milliseconds, successful requests only. */
  latencyMs: LatencySummary;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function latencySummary(values: Float64Array): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
    mean: sorted.length ? sum / sorted.length : Number.NaN,
  };
}

export function summarise(
  latencies: Float64Array,
  errors: number,
  statuses: Record<string, number>,
  durationMs: number,
): LoadResult {
  const seconds = durationMs / 1000;
  return {
    requests: latencies.length,
    errors,
    statuses,
    seconds,
    rps: latencies.length / seconds,
    latencyMs: latencySummary(latencies),
  };
}

/** Rounds for display and for the JSON file: figures, not float noise. */
export function round(n: number, digits = 2): number {
  if (!Number.isFinite(n)) return n;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
