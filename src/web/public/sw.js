// OpenASM service worker: keeps the app shell so the client opens without network.
// The API is never cached here: data goes through the client's own queue (see api/write-queue.ts).
const CACHE = 'openasm-shell';

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      const manifest = await fetch('/precache.json', { cache: 'no-store' }).then((r) => r.json());
      await cache.addAll([...manifest.files, '/manifest.webmanifest', '/icon.svg']);
      await cache.put('/precache.json', new Response(JSON.stringify(manifest)));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/') || url.pathname === '/healthz' || url.pathname === '/readyz') return;
  if (event.request.mode === 'navigate') {
    // Network first, so a new version shows when online; the cached shell when not.
    event.respondWith(fetch(event.request).catch(() => caches.match('/', { ignoreSearch: true })));
    return;
  }
  // Built assets carry a content hash: the cached copy is always right.
  event.respondWith(
    caches.match(event.request).then(
      (hit) =>
        hit ??
        fetch(event.request).then((res) => {
          if (res.ok && url.pathname.startsWith('/assets/')) {
            const copy = res.clone();
            caches.open(CACHE).then((c) => c.put(event.request, copy));
          }
          return res;
        }),
    ),
  );
});
