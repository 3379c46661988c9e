import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirLockedError, lockDataDir } from '../../src/server/platform/db/data-dir-lock.ts';

const dir = mkdtempSync(join(tmpdir(), 'openasm-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('embedded data directory lock', () => {
  it('refuses a second process while the first holds the directory, and takes over a stale lock', async () => {
    const data = join(dir, 'pglite');
    const holder = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import('./src/server/platform/db/data-dir-lock.ts').then((m) => { m.lockDataDir(${JSON.stringify(data)}, 'test holder'); console.log('locked'); setInterval(() => {}, 1000); })`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) =>
      holder.stdout!.on('data', (d) => String(d).includes('locked') && resolve()),
    );
    expect(() => lockDataDir(data, 'second')).toThrow(DataDirLockedError);
    expect(() => lockDataDir(data, 'second')).toThrow(/in use by process \d+ \(test holder\)/);
    holder.kill('SIGKILL');
    await new Promise((r) => holder.on('exit', r));
    // The holder died without unlocking: its lock is stale and is taken over.
    const unlock = lockDataDir(data, 'after');
    expect(existsSync(`${data}.lock`)).toBe(true);
    unlock();
    expect(existsSync(`${data}.lock`)).toBe(false);
  });
});
