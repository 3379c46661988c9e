import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The embedded database may be opened by one process only: a second one (a CLI command while the
 * server runs, a second server) corrupts the data directory. A lock file with the holder's pid
 * guards it; a lock left by a process that no longer runs is taken over.
 */
export class DataDirLockedError extends Error {}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function lockDataDir(dataDir: string, purpose: string): () => void {
  const file = `${dataDir}.lock`;
  mkdirSync(dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, JSON.stringify({ pid: process.pid, purpose, since: new Date().toISOString() }));
      closeSync(fd);
      return () => {
        try {
          const holder = JSON.parse(readFileSync(file, 'utf8')) as { pid: number };
          if (holder.pid === process.pid) rmSync(file, { force: true });
        } catch {
          // already gone
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder: { pid?: number; purpose?: string } = {};
      try {
        holder = JSON.parse(readFileSync(file, 'utf8')) as typeof holder;
      } catch {
        // unreadable: treat as stale
      }
      if (holder.pid && holder.pid !== process.pid && alive(holder.pid)) {
        throw new DataDirLockedError(
          `the embedded database in ${dataDir} is in use by process ${holder.pid} (${holder.purpose ?? 'unknown'}). ` +
            'Stop it first, or use the API; with PostgreSQL (DATABASE_URL) several processes may share the database.',
        );
      }
      if (existsSync(file)) rmSync(file, { force: true });
    }
  }
  throw new DataDirLockedError(`could not lock ${dataDir}`);
}
