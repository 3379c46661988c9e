/**
 * The load generator, run in a worker thread so that it does not share an event loop with the
 * server it measures (it still shares the machine's cores). Keeps `concurrency` keep-alive
 * connections busy with back-to-back GETs: a closed loop, each connection sending its next request
 * as soon as the previous answer has been read.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { type LoadJob, type LoadResult, summarise } from './stats.ts';

function request(agent: http.Agent, job: LoadJob, path: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(
      { agent, host: job.host, port: job.port, path, method: 'GET', headers: job.headers },
      (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      },
    );
    req.on('error', () => resolve(0));
    req.end();
  });
}

async function run(job: LoadJob): Promise<LoadResult> {
  const agent = new http.Agent({
    keepAlive: true,
    maxSockets: job.concurrency,
    maxFreeSockets: job.concurrency,
  });
  let latencies = new Float64Array(1 << 16);
  let recorded = 0;
  let errors = 0;
  const statuses: Record<string, number> = {};
  let cursor = 0;
  const start = performance.now();
  // Tells the caller when the clock started, so it can sample the server's event loop over the same window.
  parentPort?.postMessage({ started: true });
  const from = start + job.warmupMs;
  const to = from + job.durationMs;

  async function connection(): Promise<void> {
    while (performance.now() < to) {
      const path = job.paths[cursor++ % job.paths.length]!;
      const t0 = performance.now();
      const status = await request(agent, job, path);
      const t1 = performance.now();
      if (t1 < from || t1 > to) continue;
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status !== 200) {
        errors++;
        // A refused connection fails at once; don't spin.
        if (status === 0) await new Promise((r) => setTimeout(r, 10));
        continue;
      }
      if (recorded === latencies.length) {
        const bigger = new Float64Array(latencies.length * 2);
        bigger.set(latencies);
        latencies = bigger;
      }
      latencies[recorded++] = t1 - t0;
    }
  }

  await Promise.all(Array.from({ length: job.concurrency }, () => connection()));
  agent.destroy();
  return summarise(latencies.subarray(0, recorded), errors, statuses, job.durationMs);
}

if (parentPort) {
  const port = parentPort;
  run(workerData as LoadJob).then(
    (result) => port.postMessage({ ok: true, result }),
    (err: unknown) => port.postMessage({ ok: false, error: String((err as Error)?.stack ?? err) }),
  );
}
