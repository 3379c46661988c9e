/**
 * Time to first render of the sign-in page over a slow 3G line, in Debian's Chromium, against the
 * real server. `npm run bench:web` (builds the client first when needed). The figures and the
 * gzipped size of the JavaScript on the sign-in path go to bench/README.md ("Web client").
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { criticalJs } from '../scripts/critical-js.ts';

const ROOT = new URL('..', import.meta.url).pathname;
/** Chrome DevTools' "Slow 3G": 400 ms latency, about 400 kbit/s each way. */
const SLOW_3G = {
  offline: false,
  latency: 400,
  downloadThroughput: (400 * 1024) / 8,
  uploadThroughput: (400 * 1024) / 8,
};
const RUNS = 5;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

async function main(): Promise<void> {
  const built = spawnSync(process.execPath, [join(ROOT, 'scripts/ensure-web-build.mjs')], {
    stdio: 'inherit',
  });
  if (built.status !== 0) throw new Error('build failed');
  const dataDir = mkdtempSync(join(tmpdir(), 'openasm-webbench-'));
  const port = await freePort();
  const server: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      JOBS: 'off',
      DATABASE_URL: '',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) =>
    server.stdout!.on('data', (d) => String(d).includes('listening on') && resolve()),
  );
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const times: { visible: number; fcp: number }[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext({ serviceWorkers: 'block' });
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
      await cdp.send('Network.emulateNetworkConditions', SLOW_3G);
      const start = Date.now();
      await page.goto(`http://127.0.0.1:${port}/sign-in`, { waitUntil: 'commit' });
      await page.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: 120_000 });
      const visible = Date.now() - start;
      const fcp = await page.evaluate(
        () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN,
      );
      times.push({ visible, fcp });
      await context.close();
    }
  } finally {
    await browser.close();
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const critical = criticalJs(join(ROOT, 'dist/web'));
  const js = { files: critical.files.length, gzipBytes: critical.gzipBytes };
  const visible = median(times.map((t) => t.visible));
  const fcp = median(times.map((t) => t.fcp));
  const section = [
    `Run on ${new Date().toISOString().slice(0, 10)}, \`npm run bench:web\`, Debian Chromium, cache disabled, service worker off, ${RUNS} runs (median).`,
    '',
    '| Figure | Value |',
    '| --- | ---: |',
    `| JavaScript for sign-in + home (gzip, budget 250 KB) | ${(js.gzipBytes / 1024).toFixed(1)} KB in ${js.files} files |`,
    `| Slow 3G (400 ms, 400 kbit/s): sign-in form usable | ${(visible / 1000).toFixed(1)} s |`,
    `| Slow 3G: first contentful paint | ${(fcp / 1000).toFixed(1)} s |`,
    `| All runs, form usable (s) | ${times.map((t) => (t.visible / 1000).toFixed(1)).join(', ')} |`,
  ].join('\n');
  console.log(section);
  const readme = join(ROOT, 'bench/README.md');
  const text = readFileSync(readme, 'utf8');
  const block = `<!-- bench:web:start -->\n${section}\n<!-- bench:web:end -->`;
  const next = text.includes('<!-- bench:web:start -->')
    ? text.replace(/<!-- bench:web:start -->[\s\S]*<!-- bench:web:end -->/, block)
    : `${text.trimEnd()}\n\n## Web client\n\n${block}\n`;
  writeFileSync(readme, next);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
