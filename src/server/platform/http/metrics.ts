/**
 * A few Prometheus metrics without a dependency: request counts and latency by route and status,
 * and whatever gauges the composition root registers (pool queue, audit head, job queue).
 */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class Metrics {
  private counts = new Map<string, number>();
  private histograms = new Map<string, { buckets: number[]; sum: number; count: number }>();
  private gauges = new Map<string, { help: string; read: () => number | Promise<number> }>();

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = `method="${method}",route="${route}",status="${status}"`;
    this.counts.set(labels, (this.counts.get(labels) ?? 0) + 1);
    const hLabels = `method="${method}",route="${route}"`;
    let h = this.histograms.get(hLabels);
    if (!h) {
      h = { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.histograms.set(hLabels, h);
    }
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) h.buckets[i]!++;
    h.sum += seconds;
    h.count++;
  }

  gauge(name: string, help: string, read: () => number | Promise<number>): void {
    this.gauges.set(name, { help, read });
  }

  async render(): Promise<string> {
    const lines: string[] = [
      '# HELP http_requests_total HTTP requests by method, route and status.',
      '# TYPE http_requests_total counter',
    ];
    for (const [labels, n] of this.counts) lines.push(`http_requests_total{${labels}} ${n}`);
    lines.push('# HELP http_request_duration_seconds Time to answer, by route.');
    lines.push('# TYPE http_request_duration_seconds histogram');
    for (const [labels, h] of this.histograms) {
      for (const [i, b] of BUCKETS.entries()) {
        lines.push(`http_request_duration_seconds_bucket{${labels},le="${b}"} ${h.buckets[i]}`);
      }
      lines.push(`http_request_duration_seconds_bucket{${labels},le="+Inf"} ${h.count}`);
      lines.push(`http_request_duration_seconds_sum{${labels}} ${h.sum}`);
      lines.push(`http_request_duration_seconds_count{${labels}} ${h.count}`);
    }
    for (const [name, g] of this.gauges) {
      let value: number;
      try {
        value = await g.read();
      } catch {
        continue;
      }
      lines.push(`# HELP ${name} ${g.help}`, `# TYPE ${name} gauge`, `${name} ${value}`);
    }
    return `${lines.join('\n')}\n`;
  }
}
