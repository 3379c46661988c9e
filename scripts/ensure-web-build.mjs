// Builds the web client before `npm start` when dist/web is missing or older than its sources,
// so a fresh clone needs no second command. Skipped quickly when the build is up to date.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const built = join(root, 'dist/web/index.html');
const sources = ['src/web', 'src/shared', 'vite.config.ts', 'package-lock.json'].map((p) => join(root, p));

function newest(path) {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let max = s.mtimeMs;
  for (const entry of readdirSync(path)) max = Math.max(max, newest(join(path, entry)));
  return max;
}

const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0;
if (builtAt > 0 && sources.every((s) => newest(s) <= builtAt)) process.exit(0);

console.log('[openasm] building the web client (once; about a minute on a slow machine)…');
const result = spawnSync(
  process.execPath,
  [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'],
  {
    cwd: root,
    stdio: 'inherit',
    // Always a production build: under a test runner NODE_ENV is 'test', which would bundle React's
    // development build and the development JSX runtime.
    env: { ...process.env, NODE_ENV: 'production' },
  },
);
process.exit(result.status ?? 1);
