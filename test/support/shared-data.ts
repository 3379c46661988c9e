import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The real public data of ../shared/data (see its README for licences): read in tests, never copied
 * into the project unless its licence allows. Looked for in OPENASM_SHARED_DATA, then beside the
 * checkout (../shared/data), then at /work/shared/data, so a clone made elsewhere (CI clones to a
 * temporary folder) still finds it on a machine that has it.
 */
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ROOTS = [process.env.OPENASM_SHARED_DATA, join(REPO, '../shared/data'), '/work/shared/data'].filter(
  (r): r is string => Boolean(r),
);

/** The absolute path of a file of the shared data, or null when this machine does not have it. */
export function sharedDataFile(relative: string): string | null {
  for (const root of ROOTS) {
    const path = join(root, relative);
    if (existsSync(path)) return path;
  }
  return null;
}

/** Says once, in the test output, which data a skipped test needed. */
export function reportMissing(what: string, files: string[]): void {
  console.warn(`${what}: skipped, ../shared/data/${files.join(' and ../shared/data/')} not found`);
}
