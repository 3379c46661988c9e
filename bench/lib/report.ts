import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import type { AuditResult } from './audit-bench.ts';
import type { DbKind } from './databases.ts';
import type { HttpResult } from './http-bench.ts';
import { round } from './stats.ts';

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  os: string;
}

export interface DatabaseRun {
  kind: DbKind;
  skipped?: string;
  describe?: Record<string, string | number | boolean>;
  seeded?: { areas: number; users: number; seconds: number };
  /** os.loadavg() (1, 5, 15 min) when this database's run began and ended: other work on the machine skews every figure. */
  loadAverage?: { before: number[]; after?: number[] };
  http?: HttpResult;
  audit?: AuditResult;
}

export interface BenchReport {
  date: string;
  mode: 'full' | 'quick';
  only: 'http' | 'audit' | null;
  seed: number;
  machine: Machine;
  totalSeconds: number;
  runs: DatabaseRun[];
}

export function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: round(os.totalmem() / 1024 ** 3, 1),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

const fmt = (n: number | undefined, digits = 0) =>
  n === undefined || !Number.isFinite(n)
    ? '–'
    : n.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ms = (n: number | undefined) => fmt(n, 2);
const lat = (l: { p50: number; p95: number; p99: number } | undefined) =>
  l ? `${ms(l.p50)} / ${ms(l.p95)} / ${ms(l.p99)}` : '–';

/** Rows of (label, one cell per database run). */
function rows(report: BenchReport): [string, ...string[]][] {
  const runs = report.runs;
  const row = (label: string, cell: (r: DatabaseRun) => string): [string, ...string[]] => [
    label,
    ...runs.map((r) => (r.skipped ? 'skipped' : cell(r))),
  ];
  const out: [string, ...string[]][] = [];
  out.push(row('Database', (r) => String(r.describe?.engine ?? r.kind)));
  out.push(
    row('Seeded areas / users', (r) => (r.seeded ? `${r.seeded.areas} / ${fmt(r.seeded.users)}` : '–')),
  );
  if (runs.some((r) => r.http)) {
    const c = runs.find((r) => r.http)?.http;
    out.push(row('Ceiling: bare Fastify, req/s', (r) => fmt(r.http?.ceiling.rps)));
    out.push(row('Ceiling latency p50 / p95 / p99 (ms)', (r) => lat(r.http?.ceiling.latencyMs)));
    out.push(row('GET /api/v1/users/:id (authenticated), req/s', (r) => fmt(r.http?.app.rps)));
    out.push(row('App latency p50 / p95 / p99 (ms)', (r) => lat(r.http?.app.latencyMs)));
    out.push(row('App / ceiling (goal ≥ 50 %)', (r) => (r.http ? `${fmt(r.http.ratio * 100, 1)} %` : '–')));
    out.push(row('SQL statements per GET', (r) => fmt(r.http?.statementsPerRequest, 1)));
    out.push(
      row('Server event loop busy, ceiling / app', (r) =>
        r.http
          ? `${fmt(r.http.ceiling.serverEventLoopUtilisation * 100, 0)} % / ${fmt(r.http.app.serverEventLoopUtilisation * 100, 0)} %`
          : '–',
      ),
    );
    out.push(
      row('Server thread time per GET (ms)', (r) =>
        r.http && r.http.app.requests > 0
          ? ms((r.http.app.serverEventLoopUtilisation * r.http.seconds * 1000) / r.http.app.requests)
          : '–',
      ),
    );
    out.push(
      row('Errors (non-200) app / ceiling', (r) =>
        r.http ? `${r.http.app.errors} / ${r.http.ceiling.errors}` : '–',
      ),
    );
    if (c)
      out.push(
        row('Load', () => `${c.concurrency} connections, ${c.warmupSeconds} s warm-up + ${c.seconds} s`),
      );
  }
  if (runs.some((r) => r.audit)) {
    const a = runs.find((r) => r.audit)?.audit;
    out.push(
      row('Audit appends in write tx, sequential, events/s', (r) => fmt(r.audit?.sequential.eventsPerSecond)),
    );
    out.push(
      row(`Audit appends in write tx, ${a?.concurrent.concurrency ?? '?'} concurrent, events/s`, (r) =>
        fmt(r.audit?.concurrent.eventsPerSecond),
      ),
    );
    out.push(
      row('Write tx latency p50 / p99 (ms), seq · concurrent', (r) =>
        r.audit
          ? `${ms(r.audit.sequential.txP50Ms)} / ${ms(r.audit.sequential.txP99Ms)} · ${ms(r.audit.concurrent.txP50Ms)} / ${ms(r.audit.concurrent.txP99Ms)}`
          : '–',
      ),
    );
    out.push(
      row('Chain verification, events/s (events)', (r) =>
        r.audit?.verify.available
          ? `${fmt(r.audit.verify.eventsPerSecond)} (${fmt(r.audit.verify.events)}${r.audit.verify.ok ? ', ok' : ', BROKEN'})`
          : 'no verifier',
      ),
    );
    if (a) out.push(row('Transactions per mode', () => fmt(a.transactionsPerMode)));
  }
  out.push(
    row('Load average (1 min) before → after', (r) =>
      r.loadAverage
        ? `${fmt(r.loadAverage.before[0], 2)} → ${r.loadAverage.after ? fmt(r.loadAverage.after[0], 2) : '?'}`
        : '–',
    ),
  );
  return out;
}

function header(report: BenchReport): [string, ...string[]] {
  return ['', ...report.runs.map((r) => r.kind)];
}

export function textTable(report: BenchReport): string {
  const all = [header(report), ...rows(report)];
  const widths = all[0]!.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(all[0]!), widths.map((w) => '─'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}

/** A Markdown table laid out the way `biome format` lays one out (padded, numbers right-aligned). */
export function markdownTable(report: BenchReport): string {
  const h = header(report);
  h[0] = 'Figure';
  const esc = (s: string) => s.replaceAll('|', '\\|');
  const all = [h, ...rows(report)].map((r) => r.map(esc));
  const widths = h.map((_, i) => Math.max(3, ...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [line(all[0]!), rule, ...all.slice(1).map(line)].join('\n');
}

export function writeJson(report: BenchReport, dir: URL): string {
  mkdirSync(dir, { recursive: true });
  const name = `${report.date.replaceAll(':', '-').replace(/\.\d+Z$/, 'Z')}.json`;
  const file = new URL(name, dir);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file.pathname;
}

const START = '<!-- bench:latest:start -->';
const END = '<!-- bench:latest:end -->';

/** Replaces the text between the markers of bench/README.md with this run's figures. */
export function updateReadme(report: BenchReport, readme: URL): void {
  const m = report.machine;
  const dbLines = report.runs.map((r) =>
    r.skipped
      ? `- ${r.kind}: skipped (${r.skipped})`
      : `- ${r.kind}: ${Object.entries(r.describe ?? {})
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
  );
  const section = [
    START,
    `Run on ${report.date.slice(0, 10)} (${report.date}), \`npm run bench\`${report.mode === 'quick' ? ' --quick' : ''}, seed ${report.seed}, ${round(report.totalSeconds, 0)} s in all.`,
    '',
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB memory, Node ${m.node}, ${m.os}.`,
    '',
    ...dbLines,
    '',
    markdownTable(report),
    END,
  ].join('\n');
  const text = readFileSync(readme, 'utf8');
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  const next =
    a >= 0 && b > a
      ? `${text.slice(0, a)}${section}${text.slice(b + END.length)}`
      : `${text.trimEnd()}\n\n## Latest results\n\n${section}\n`;
  writeFileSync(readme, next);
}
