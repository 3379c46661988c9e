/**
 * The real process, as `npm start` runs it: first start (migrate, profile, demo), sign-in, a write,
 * a crash (SIGKILL) right after the write was acknowledged, a restart that still has it, and a
 * graceful stop (SIGTERM) that lets requests in flight finish.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/server/demo/seed.ts';
import { databaseUrl, testDatabaseKind, testServerUrl } from '../support/settings.ts';

let dir: string;
let env: NodeJS.ProcessEnv;
let dbName: string | null = null;
let port: number;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

async function startServer(): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += String(d);
  });
  child.stderr!.on('data', (d) => {
    out += String(d);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 90_000;
  while (!out.includes('listening on')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`server did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, output: () => out, exited };
}

const url = (path: string) => `http://127.0.0.1:${port}${path}`;
async function login(): Promise<string> {
  const res = await fetch(url('/api/v1/auth/login'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone: '+233200000001', password: DEMO_PASSWORD }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'openasm-proc-'));
  port = await freePort();
  env = {
    ...process.env,
    NODE_ENV: 'development',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dir,
    LOG_LEVEL: 'warn',
    JOBS: 'on',
  };
  delete env.DATABASE_URL;
  if (testDatabaseKind() === 'postgres') {
    dbName = `openasm_proc_${process.pid}`;
    const admin = new pg.Client({ connectionString: testServerUrl() });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    env.DATABASE_URL = databaseUrl(dbName);
  }
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (dbName) {
    const admin = new pg.Client({ connectionString: testServerUrl() });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
});

describe('the server process', () => {
  let createdId = '';

  it('starts on a fresh database, prints how to sign in, and keeps an acknowledged write through a crash', async () => {
    const server = await startServer();
    try {
      expect(server.output()).toMatch(/applied migrations 1/);
      expect(server.output()).toMatch(/demo accounts \(password for all: /);
      expect(server.output()).toContain('+233200000001');
      expect(server.output()).toMatch(/created 10 demo miners and 2 demo enterprises/);
      const ready = await fetch(url('/readyz'));
      expect(await ready.json()).toMatchObject({ status: 'ready' });
      const token = await login();
      const areas = (await (
        await fetch(url('/api/v1/admin-areas?level=1&limit=50'), {
          headers: { authorization: `Bearer ${token}` },
        })
      ).json()) as { items: { id: string; code: string }[] };
      expect(areas.items.length).toBe(16);
      const res = await fetch(url('/api/v1/users'), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
          'idempotency-key': 'crash-test-1',
        },
        body: JSON.stringify({ name: 'Survives Crash', phone: '+233209999999', areaId: areas.items[0]!.id }),
      });
      expect(res.status).toBe(201);
      createdId = ((await res.json()) as { id: string }).id;
    } finally {
      server.child.kill('SIGKILL');
      await server.exited;
    }
  });

  it('restarts on the same data without redoing the first start, and still has the write', async () => {
    const server = await startServer();
    try {
      expect(server.output()).not.toMatch(/applied migrations/);
      expect(server.output()).toMatch(/already loaded/);
      const token = await login();
      const res = await fetch(url(`/api/v1/users/${createdId}`), {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { name: string }).name).toBe('Survives Crash');
      const verify = await fetch(url('/api/v1/audit/verify'), {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(((await verify.json()) as { ok: boolean }).ok).toBe(true);
    } finally {
      server.child.kill('SIGKILL');
      await server.exited;
    }
  });

  it('on SIGTERM finishes the requests in flight, then exits 0', async () => {
    const server = await startServer();
    // Open the connections first, so that the sign-ins below are on sockets the server has accepted.
    await Promise.all(Array.from({ length: 12 }, () => fetch(url('/healthz')).then((r) => r.text())));
    const inFlight = Array.from({ length: 12 }, () =>
      fetch(url('/api/v1/auth/login'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ phone: '+233200000002', password: DEMO_PASSWORD }),
      }).then((r) => r.status),
    );
    // Stop as soon as the first answer is out: the others are still being worked on.
    await Promise.race(inFlight);
    server.child.kill('SIGTERM');
    const statuses = await Promise.all(inFlight);
    expect(
      statuses.every((s) => s === 200 || s === 503),
      statuses.join(),
    ).toBe(true);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(1);
    expect(await server.exited, server.output()).toBe(0);
    expect(server.output()).toMatch(/stopped/);
  });
});
