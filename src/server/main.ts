import { buildApp } from './app.ts';
import { bootstrap } from './bootstrap.ts';
import { ConfigError, loadConfig } from './config.ts';
import { registerLicensingJobs } from './modules/licensing/jobs.ts';
import { registerTaskWorker } from './modules/tasks/runner.ts';
import { systemClock } from './platform/clock.ts';
import { registerHousekeeping } from './platform/jobs/housekeeping.ts';
import { startJobs } from './platform/jobs/pgboss.ts';
import { createLogNotifier } from './platform/notify/notifier.ts';

/** Process entry: config → database (migrate, profile, demo) → jobs → app → listen. */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78);
    }
    throw err;
  }
  const say = (msg: string) => console.log(`[openasm] ${msg}`);
  say(
    `starting (${config.env}, ${config.database.kind === 'pglite' ? `embedded database in ${config.dataDir}` : 'PostgreSQL server'})`,
  );
  const { database, report } = await bootstrap(config, say);
  const jobs = config.jobs
    ? await startJobs(database, { logger: { info: say, error: (m) => console.error(m) } })
    : null;
  if (jobs) await registerHousekeeping(jobs, database, systemClock, undefined, config.dataDir);
  if (jobs) await registerTaskWorker(jobs, { database, clock: systemClock, dataDir: config.dataDir });
  // Until an SMS gateway adapter exists, notifications are log lines (phone numbers masked).
  const notifier = createLogNotifier();
  if (jobs)
    await registerLicensingJobs(jobs, {
      database,
      clock: systemClock,
      notifier,
      logger: { info: say, error: (m) => console.error(m) },
    });
  const app = await buildApp({ config, database, jobs, notifier });
  await app.listen({ port: config.port, host: config.host });

  const url = `http://localhost:${config.port}`;
  say(`listening on ${url}  (API docs: ${url}/api/docs)`);
  if (report.demo) {
    say(`demo accounts (password for all: ${report.demo.password}):`);
    for (const a of report.demo.accounts) say(`  ${a.phone}  ${a.role.padEnd(22)} ${a.area}`);
    say(
      `sign in: curl -X POST ${url}/api/v1/auth/login -H 'content-type: application/json' -d '{"phone":"${report.demo.accounts[0]?.phone}","password":"${report.demo.password}"}'`,
    );
  }

  // Graceful shutdown: stop taking requests, let in-flight ones finish, then stop jobs and the database.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: finishing requests in flight`);
    const force = setTimeout(() => {
      console.error('[openasm] shutdown took too long; exiting');
      process.exit(1);
    }, 20_000);
    force.unref();
    await app.close();
    await jobs?.stop();
    await database.close();
    say('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  console.error('[openasm] failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
