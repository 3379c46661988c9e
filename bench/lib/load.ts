import { Worker } from 'node:worker_threads';
import type { LoadJob, LoadResult } from './stats.ts';

/**
 * Runs the load generator in a worker thread and waits for its report. The worker is TypeScript:
 * it registers tsx's loader first (a worker does not inherit the loader of `tsx bench/run.ts`).
 */
export function runLoad(job: LoadJob): Promise<LoadResult> {
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./load-worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(boot, { eval: true, workerData: job });
    let settled = false;
    worker.on('message', (msg: { ok: true; result: LoadResult } | { ok: false; error: string }) => {
      settled = true;
      void worker.terminate();
      if (msg.ok) resolve(msg.result);
      else reject(new Error(`load generator failed: ${msg.error}`));
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
