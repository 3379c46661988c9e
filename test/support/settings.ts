import { fileURLToPath } from 'node:url';

export const APP_ROLE = 'openasm_app';
export const TEMPLATE_DUMP = fileURLToPath(
  new URL('../../.test-cache/pglite-migrated.tar.gz', import.meta.url),
);

/** TEST_DATABASE=postgres runs the suite on the server at TEST_DATABASE_URL; the default is PGlite. */
export function testDatabaseKind(): 'pglite' | 'postgres' {
  return process.env.TEST_DATABASE === 'postgres' ? 'postgres' : 'pglite';
}

export function testServerUrl(): string {
  return process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export function databaseUrl(name: string): string {
  const u = new URL(testServerUrl());
  u.pathname = `/${name}`;
  return u.toString();
}
