import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * What the browser loads to show sign-in and then home: the entry (which holds the sign-in page and
 * the English catalog) and the home chunk.
 */
export const CRITICAL_ENTRIES = ['index.html', 'features/home/home.tsx'];

interface Chunk {
  file: string;
  imports?: string[];
}

/**
 * The JavaScript files of the critical entries and everything they import statically, read from
 * Vite's build manifest, with their gzipped sizes (the bundle budget and the web bench use it).
 */
export function criticalJs(dist: string): {
  files: { file: string; gzipBytes: number }[];
  gzipBytes: number;
} {
  const manifest = JSON.parse(readFileSync(join(dist, '.vite/manifest.json'), 'utf8')) as Record<
    string,
    Chunk
  >;
  const seen = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || seen.has(chunk.file)) return;
    seen.add(chunk.file);
    for (const dep of chunk.imports ?? []) visit(dep);
  };
  for (const entry of CRITICAL_ENTRIES) {
    if (!manifest[entry]) throw new Error(`${entry} is not in the build manifest`);
    visit(entry);
  }
  const files = [...seen]
    .filter((f) => f.endsWith('.js'))
    .map((file) => ({ file, gzipBytes: gzipSync(readFileSync(join(dist, file)), { level: 9 }).length }));
  return { files, gzipBytes: files.reduce((s, f) => s + f.gzipBytes, 0) };
}
