import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export const WEB_DIST = fileURLToPath(new URL('../../../../dist/web/', import.meta.url));

/**
 * Serves the built web client from the same origin as the API. Built files carry a content hash
 * and are cached for a year; index.html, the service worker and its file list never are, so a new
 * version reaches people on their next visit. Any other GET that is not an API path answers the
 * app shell, which routes in the browser.
 */
export async function registerWebClient(app: FastifyInstance, dir = WEB_DIST): Promise<boolean> {
  if (!existsSync(`${dir}index.html`)) return false;
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    wildcard: false,
    index: false,
    // The build writes .br and .gz beside each file; they are sent to browsers that accept them.
    preCompressed: true,
    setHeaders(reply, path) {
      reply.header(
        'cache-control',
        path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  const shell = (
    _req: unknown,
    reply: { header(n: string, v: string): unknown; sendFile(f: string): unknown },
  ) => {
    reply.header('cache-control', 'no-cache');
    return reply.sendFile('index.html');
  };
  app.get('/', { schema: { hide: true } }, shell as never);
  return true;
}

/** Whether a request that matched no route should get the app shell (a browser page load). */
export function wantsAppShell(method: string, url: string, accept: string | undefined): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  if (
    url.startsWith('/api/') ||
    url === '/api' ||
    url.startsWith('/healthz') ||
    url.startsWith('/readyz') ||
    url.startsWith('/metrics')
  ) {
    return false;
  }
  return (accept ?? '').includes('text/html');
}
