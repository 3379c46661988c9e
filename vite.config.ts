import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

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
  plugins: [react(), precacheManifest()],
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
