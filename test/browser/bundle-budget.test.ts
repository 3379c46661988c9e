import { describe, expect, it } from 'vitest';
import { criticalJs } from '../../scripts/critical-js.ts';

/**
 * The JavaScript needed to show the sign-in page and the home page, gzipped, stays within 250 KB:
 * the entry, everything it imports statically, the sign-in and home chunks with theirs, and one
 * language catalog. The map and the admin screens load later, on their own.
 */
const DIST = new URL('../../dist/web/', import.meta.url).pathname;
const BUDGET = 250 * 1024;

describe('bundle budget', () => {
  it('sign-in and home need at most 250 KB of gzipped JavaScript, without the map library', () => {
    const { files, gzipBytes } = criticalJs(DIST);
    console.log(`critical JavaScript: ${(gzipBytes / 1024).toFixed(1)} KB gzip in ${files.length} files`);
    expect(files.filter((f) => /maplibre|jsx-dev-runtime/.test(f.file))).toEqual([]);
    expect(gzipBytes).toBeLessThanOrEqual(BUDGET);
  });
});
