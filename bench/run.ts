/**
 * `npm run bench`: throughput of the real app and of the audit chain, on PGlite and (when a server
 * is reachable) PostgreSQL. See bench/README.md for what each figure means and how it is taken.
 *
 *   --quick                 shorter durations and counts (a smoke run; does not touch README.md)
 *   --only=http|audit       one part only
 *   --db=pglite|postgres    one database only
 *   --readme / --no-readme  force or skip rewriting the "Latest results" section of bench/README.md
 *
 * BENCH_DATABASE_URL points at the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres).
 */
import os from 'node:os';
import { type AuditOptions, benchAudit } from './lib/audit-bench.ts';
import {
  type BenchDatabase,
  type DbKind,
  openBenchPglite,
  openBenchPostgres,
  serverUrl,
} from './lib/databases.ts';
import { benchHttp, type HttpOptions } from './lib/http-bench.ts';
import {
  type BenchReport,
  type DatabaseRun,
  machine,
  textTable,
  updateReadme,
  writeJson,
} from './lib/report.ts';
import { seedBench } from './lib/seed.ts';

interface Flags {
  quick: boolean;
  only: 'http' | 'audit' | null;
  dbs: DbKind[];
  readme: boolean | null;
}

function parseFlags(argv: string[]): Flags {
  const flags: Flags = { quick: false, only: null, dbs: ['pglite', 'postgres'], readme: null };
  for (const arg of argv) {
    const [name, value] = arg.split('=', 2) as [string, string | undefined];
    if (name === '--quick') flags.quick = true;
    else if (name === '--only' && (value === 'http' || value === 'audit')) flags.only = value;
    else if (name === '--db' && (value === 'pglite' || value === 'postgres')) flags.dbs = [value];
    else if (name === '--readme') flags.readme = true;
    else if (name === '--no-readme') flags.readme = false;
    else {
      console.error(
        `unknown flag ${arg}\nusage: npm run bench -- [--quick] [--only=http|audit] [--db=pglite|postgres] [--readme|--no-readme]`,
      );
      process.exit(2);
    }
  }
  return flags;
}

const SEED = 20_260_302;
const SCALE = { districts: 261, users: 10_000 };

const loadAverage = () => os.loadavg().map((n) => Math.round(n * 100) / 100);
const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

async function open(kind: DbKind): Promise<BenchDatabase | { unavailable: string }> {
  return kind === 'pglite' ? openBenchPglite() : openBenchPostgres();
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const http: HttpOptions = flags.quick
    ? { concurrency: 32, warmupMs: 1_000, durationMs: 3_000, distinctIds: 1_000, seed: SEED }
    : { concurrency: 32, warmupMs: 2_000, durationMs: 10_000, distinctIds: 1_000, seed: SEED };
  const audit: AuditOptions = flags.quick
    ? { count: 1_000, concurrency: 8 }
    : { count: 5_000, concurrency: 8 };
  const started = performance.now();
  const report: BenchReport = {
    date: new Date().toISOString(),
    mode: flags.quick ? 'quick' : 'full',
    only: flags.only,
    seed: SEED,
    machine: machine(),
    totalSeconds: 0,
    runs: [],
  };
  log(
    `${report.machine.cpus} CPUs, ${report.machine.memoryGiB} GiB, Node ${report.machine.node}; ${report.mode} run`,
  );

  for (const kind of flags.dbs) {
    log(`${kind}: opening and migrating a fresh database`);
    const opened = await open(kind);
    if ('unavailable' in opened) {
      log(
        `${kind}: skipped, the server at ${new URL(serverUrl()).host} is not reachable (${opened.unavailable})`,
      );
      report.runs.push({ kind, skipped: `server not reachable: ${opened.unavailable}` });
      continue;
    }
    const run: DatabaseRun = { kind, describe: opened.describe, loadAverage: { before: loadAverage() } };
    report.runs.push(run);
    try {
      const seeded = await seedBench(opened.database, { seed: SEED, ...SCALE });
      await opened.database.asOwner((c) => c.query('ANALYZE'));
      run.seeded = {
        areas: seeded.geography.all.length,
        users: seeded.users.length + 1,
        seconds: seeded.seconds,
      };
      log(
        `${kind}: seeded ${run.seeded.areas} areas and ${run.seeded.users} users in ${seeded.seconds.toFixed(1)} s`,
      );

      if (flags.only !== 'audit') {
        log(
          `${kind}: HTTP, ${http.concurrency} connections, ${http.warmupMs / 1000} s warm-up + ${http.durationMs / 1000} s, ceiling then app`,
        );
        run.http = await benchHttp(opened, seeded, http);
        log(
          `${kind}: ceiling ${run.http.ceiling.rps.toFixed(0)} req/s, app ${run.http.app.rps.toFixed(0)} req/s (${(run.http.ratio * 100).toFixed(1)} %)`,
        );
      }
      if (flags.only !== 'http') {
        log(
          `${kind}: audit, ${audit.count} transactions sequential, then ${audit.count} with ${audit.concurrency} at once`,
        );
        run.audit = await benchAudit(opened.database, seeded.users, audit);
        log(
          `${kind}: audit ${run.audit.sequential.eventsPerSecond} events/s sequential, ${run.audit.concurrent.eventsPerSecond} concurrent; verify ${run.audit.verify.eventsPerSecond ?? '–'} events/s`,
        );
      }
    } finally {
      run.loadAverage!.after = loadAverage();
      await opened.dispose();
    }
  }

  report.totalSeconds = (performance.now() - started) / 1000;
  console.log(`\n${textTable(report)}\n`);
  const file = writeJson(report, new URL('./results/', import.meta.url));
  log(`results written to ${file}`);
  const partial = flags.quick || flags.only !== null || flags.dbs.length < 2;
  if (flags.readme ?? !partial) {
    updateReadme(report, new URL('./README.md', import.meta.url));
    log('bench/README.md "Latest results" rewritten');
  } else if (flags.readme === null) {
    log('partial or quick run: bench/README.md left as it was (pass --readme to rewrite it)');
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
