import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

/**
 * Writes .br and .gz beside each text file of the build, once, at the highest levels: the server
 * sends them as they are (@fastify/static preCompressed), so a slow line carries a third of the bytes
 * and the server spends no CPU compressing on each request.
 */
function precompress(outDir: string): Plugin {
  return {
    name: 'openasm-precompress',
    apply: 'build',
    closeBundle() {
      const walk = (dir: string): string[] =>
        readdirSync(dir).flatMap((name) => {
          const path = join(dir, name);
          return statSync(path).isDirectory() ? walk(path) : [path];
        });
      for (const file of walk(outDir)) {
        if (!/\.(js|mjs|css|html|json|svg|webmanifest)$/.test(file)) continue;
        const data = readFileSync(file);
        if (data.length < 1024) continue;
        writeFileSync(`${file}.gz`, gzipSync(data, { level: 9 }));
        writeFileSync(
          `${file}.br`,
          brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
        );
      }
    },
  };
}

/** Lists the built files so the service worker can keep the whole app shell for offline use. */
function precacheManifest(): Plugin {
  return {
    name: 'openasm-precache-manifest',
    apply: 'build',
    generateBundle(_options, bundle) {
      const files = Object.keys(bundle).filter((f) => !f.endsWith('.map'));
      this.emitFile({
        type: 'asset',
        fileName: 'precache.json',
        source: JSON.stringify({ version: Date.now(), files: ['/', ...files.map((f) => `/${f}`)] }),
      });
    },
  };
}

// The web client: built into dist/web and served by the API server from the same origin.
export default defineConfig({
  root: 'src/web',
  publicDir: 'public',
  base: '/',
  plugins: [react(), precacheManifest(), precompress(new URL('./dist/web', import.meta.url).pathname)],
  build: {
    outDir: '../../dist/web',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // Read by the bundle-budget test to follow what sign-in and home load.
    manifest: true,
    chunkSizeWarningLimit: 1200,
    rolldownOptions: {
      output: {
        // The map library is large and needed only on map screens: keep it in its own chunk.
        codeSplitting: { groups: [{ name: 'maplibre', test: /node_modules[\\/]maplibre-gl/ }] },
      },
    },
  },
  server: { proxy: { '/api': 'http://localhost:8080' } },
});
