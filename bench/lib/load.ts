import { type EventLoopUtilization, performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { type LoadJob, type LoadResult, round } from './stats.ts';

export interface LoadRun {
  result: LoadResult;
  /**
   * Event-loop utilisation of this (the server's) thread over the measured window, 0–1: near 1 the
   * server is CPU-bound in JavaScript; well below 1 it is waiting (for the database, the client or a
   * core taken by another process).
   */
  serverEventLoopUtilisation: number;
}

type Message = { started: true } | { ok: true; result: LoadResult } | { ok: false; error: string };

/**
 * Runs the load generator in a worker thread and waits for its report. The worker is TypeScript:
 * it registers tsx's loader first (a worker does not inherit the loader of `tsx bench/run.ts`).
 */
export function runLoad(job: LoadJob): Promise<LoadRun> {
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./load-worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(boot, { eval: true, workerData: job });
    let settled = false;
    let windowStart: EventLoopUtilization | null = null;
    let windowElu: EventLoopUtilization | null = null;
    const timers: NodeJS.Timeout[] = [];
    worker.on('message', (msg: Message) => {
      if ('started' in msg) {
        timers.push(
          setTimeout(() => {
            windowStart = performance.eventLoopUtilization();
          }, job.warmupMs),
          setTimeout(() => {
            if (windowStart) windowElu = performance.eventLoopUtilization(windowStart);
          }, job.warmupMs + job.durationMs),
        );
        return;
      }
      settled = true;
      for (const t of timers) clearTimeout(t);
      void worker.terminate();
      if (!msg.ok) reject(new Error(`load generator failed: ${msg.error}`));
      else
        resolve({
          result: msg.result,
          serverEventLoopUtilisation: round(
            (windowElu as EventLoopUtilization | null)?.utilization ?? Number.NaN,
            3,
          ),
        });
    });
    worker.on('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`load generator exited with code ${code} before reporting`));
    });
  });
}
