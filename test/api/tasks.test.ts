/**
 * Long work as tasks: start an export, watch it progress, come back for the file. Tasks belong to
 * whoever started them; they run with that account's grants as they are when the task runs.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../src/server/app.ts';
import { loadConfig } from '../../src/server/config.ts';
import {
  registerTaskWorker,
  runTaskNow,
  type TaskRunnerDeps,
} from '../../src/server/modules/tasks/runner.ts';
import { type PgBossJobs, startJobs } from '../../src/server/platform/jobs/pgboss.ts';
import type { TaskDto } from '../../src/shared/schemas/tasks.ts';
import { createTestApp, TEST_PASSWORD, type TestApp } from '../support/app.ts';

let t: TestApp;
let dataDir: string;
let deps: TaskRunnerDeps;
let owner: Record<string, string>;
let other: Record<string, string>;
let admin: Record<string, string>;
let auditor: Record<string, string>;

let phoneSeq = 0;
const newPhone = () => `+23325${String(++phoneSeq).padStart(7, '0')}`;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'openasm-tasks-'));
  t = await createTestApp({ DATA_DIR: dataDir });
  // Small batches, so a modest export shows several steps of progress.
  deps = { database: t.database, clock: t.clock, dataDir, batchSize: 5 };
  owner = await t.login('obuasiAdmin');
  other = await t.login('bibianiAdmin');
  admin = await t.login('admin');
  auditor = await t.login('auditor');
  for (let i = 0; i < 25; i++) {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: admin,
      payload: { name: `Obuasi Person ${i}`, phone: newPhone(), areaId: t.fx.areas.obuasi.id },
    });
    expect(res.statusCode).toBe(201);
  }
});
afterAll(async () => {
  await t?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const inject = (
  method: 'GET' | 'POST',
  url: string,
  headers: Record<string, string>,
  payload?: object,
  app: FastifyInstance = t.app,
) => app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

async function start(headers: Record<string, string>, body: object, extra: Record<string, string> = {}) {
  const res = await inject('POST', '/api/v1/tasks', { ...headers, ...extra }, body);
  expect(res.statusCode, res.body).toBe(202);
  return res.json() as TaskDto;
}

const getTask = async (id: string, headers = owner) =>
  (await inject('GET', `/api/v1/tasks/${id}`, headers)).json() as TaskDto;

async function events(action: string, entityId?: string) {
  let q = t.database.db.selectFrom('audit_events').selectAll().where('action', '=', action);
  if (entityId) q = q.where('entity_id', '=', entityId);
  return q.orderBy('seq').execute();
}

const exportFiles = () => (existsSync(join(dataDir, 'exports')) ? readdirSync(join(dataDir, 'exports')) : []);

describe('starting a task', () => {
  it('answers 202 with the queued task and records task.created', async () => {
    const res = await inject('POST', '/api/v1/tasks', owner, {
      kind: 'export.users',
      params: { sort: 'name' },
    });
    expect(res.statusCode, res.body).toBe(202);
    const task = res.json() as TaskDto;
    expect(res.headers.location).toBe(`/api/v1/tasks/${task.id}`);
    expect(task).toMatchObject({
      kind: 'export.users',
      status: 'queued',
      progress: { done: 0, total: null },
      params: { sort: 'name' },
      result: null,
      errorCode: null,
      createdBy: t.fx.users.obuasiAdmin.id,
      areaId: t.fx.areas.obuasi.id,
      startedAt: null,
      finishedAt: null,
    });
    const [created] = await events('task.created', task.id);
    expect(created).toMatchObject({
      actor_id: t.fx.users.obuasiAdmin.id,
      entity_type: 'task',
      area_id: t.fx.areas.obuasi.id,
      after: { kind: 'export.users', params: { sort: 'name' } },
    });
  });

  it('fills in default params', async () => {
    const task = await start(owner, { kind: 'export.users' });
    expect(task.params).toEqual({ sort: 'createdAt' });
  });

  it('needs the permission of the synchronous export', async () => {
    const agent = await t.login('agent');
    const users = await inject('POST', '/api/v1/tasks', agent, { kind: 'export.users' });
    expect(users.statusCode).toBe(403);
    expect(users.json().code).toBe('access.forbidden');
    // An office admin reads accounts but not the audit trail.
    const auditTrail = await inject('POST', '/api/v1/tasks', owner, { kind: 'export.audit', params: {} });
    expect(auditTrail.statusCode).toBe(403);
    expect(auditTrail.json().code).toBe('access.forbidden');
    expect((await inject('POST', '/api/v1/tasks', {}, { kind: 'export.users' })).statusCode).toBe(401);
  });

  it('refuses unknown kinds and params', async () => {
    const kind = await inject('POST', '/api/v1/tasks', owner, { kind: 'export.everything' });
    expect(kind.statusCode).toBe(400);
    expect(kind.json().errors[0]).toMatchObject({ path: 'body.kind' });
    const param = await inject('POST', '/api/v1/tasks', owner, {
      kind: 'export.users',
      params: { sort: 'name', limit: 5 },
    });
    expect(param.statusCode).toBe(400);
    expect(param.json()).toMatchObject({
      code: 'request.unknown_field',
      errors: [{ path: 'body.params.limit', code: 'unknown_field' }],
    });
    const sort = await inject('POST', '/api/v1/tasks', owner, {
      kind: 'export.users',
      params: { sort: 'phone' },
    });
    expect(sort.statusCode).toBe(400);
    expect(sort.json().code).toBe('request.validation_failed');
  });

  it('honours Idempotency-Key: a retried start is the same task', async () => {
    const body = { kind: 'export.users', params: { status: 'active' } };
    const first = await start(owner, body, { 'idempotency-key': 'start-export-1' });
    const before = await t.database.db
      .selectFrom('audit_events')
      .select('seq')
      .where('action', '=', 'task.created')
      .execute();
    const again = await inject(
      'POST',
      '/api/v1/tasks',
      { ...owner, 'idempotency-key': 'start-export-1' },
      body,
    );
    expect(again.statusCode).toBe(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(first.id);
    expect(await events('task.created')).toHaveLength(before.length);
  });
});

describe('running an export', () => {
  let task: TaskDto;
  const seen: { done: number; total: number | null; status: string }[] = [];

  it('reports progress batch by batch up to the total', async () => {
    task = await start(owner, { kind: 'export.users', params: { sort: 'name' } });
    const ended = await runTaskNow(
      {
        ...deps,
        // Between batches, look at the task the way a client polling it would.
        onProgress: async ({ taskId }) => {
          const now = await getTask(taskId);
          seen.push({ ...now.progress, status: now.status });
        },
      },
      task.id,
    );
    const total = (await inject('GET', '/api/v1/users?limit=500', owner)).json().items.length;
    expect(total).toBeGreaterThan(25);
    expect(seen.length).toBe(Math.ceil(total / 5));
    expect(seen.every((s) => s.status === 'running' && s.total === total)).toBe(true);
    const done = seen.map((s) => s.done);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(new Set(done).size).toBe(done.length);
    expect(done.at(-1)).toBe(total);

    expect(ended).toMatchObject({ status: 'succeeded', progress: { done: total, total } });
    const got = await getTask(task.id);
    expect(got).toMatchObject({
      status: 'succeeded',
      progress: { done: total, total },
      errorCode: null,
      result: {
        name: expect.stringMatching(/^users-\d{4}-\d{2}-\d{2}\.csv$/),
        contentType: 'text/csv; charset=utf-8',
        bytes: expect.any(Number),
        downloadUrl: `/api/v1/tasks/${task.id}/download`,
      },
    });
    expect(got.startedAt).not.toBeNull();
    expect(got.finishedAt).not.toBeNull();
    // Where the file lies on the server is never shown.
    expect(JSON.stringify(got)).not.toMatch(/exports\/|openasm-tasks-/);
    expect(exportFiles()).toEqual([`${task.id}.csv`]);
  });

  it('serves a result equal to the synchronous CSV export', async () => {
    const res = await inject('GET', `/api/v1/tasks/${task.id}/download`, owner);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="users-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    expect(Number(res.headers['content-length'])).toBe((await getTask(task.id)).result!.bytes);
    const sync = await inject('GET', '/api/v1/users?sort=name&format=csv', owner);
    expect(sync.statusCode).toBe(200);
    expect(res.body).toBe(sync.body);
    // Only the office's own district, as in the synchronous export.
    const lines = res.body.trim().split('\r\n').slice(1);
    expect(lines.length).toBe(seen.at(-1)!.done);
    for (const line of lines) expect(line).toContain(t.fx.areas.obuasi.id);
  });

  it('records the run and the download in the audit trail', async () => {
    const [succeeded] = await events('task.succeeded', task.id);
    expect(succeeded).toMatchObject({
      actor_id: t.fx.users.obuasiAdmin.id,
      request_id: `task:${task.id}`,
      area_id: t.fx.areas.obuasi.id,
      meta: { kind: 'export.users', rows: seen.at(-1)!.done, truncated: false },
    });
    const exported = (await events('user.exported')).filter(
      (e) => (e.meta as { taskId?: string } | null)?.taskId === task.id,
    );
    expect(exported).toHaveLength(1);
    expect(exported[0]).toMatchObject({
      actor_id: t.fx.users.obuasiAdmin.id,
      meta: { format: 'csv', filter: { sort: 'name' }, rows: seen.at(-1)!.done },
    });
    expect(await events('task.downloaded', task.id)).toHaveLength(1);
  });

  it('is invisible to everyone else, whatever their role', async () => {
    for (const headers of [other, admin, auditor]) {
      for (const [method, url] of [
        ['GET', `/api/v1/tasks/${task.id}`],
        ['GET', `/api/v1/tasks/${task.id}/download`],
        ['POST', `/api/v1/tasks/${task.id}/cancel`],
      ] as const) {
        const res = await inject(method, url, headers);
        expect(res.statusCode, `${method} ${url}`).toBe(404);
        expect(res.json().code).toBe('resource.not_found');
      }
      const list = (await inject('GET', '/api/v1/tasks?limit=500', headers)).json() as { items: TaskDto[] };
      expect(list.items.map((i) => i.id)).not.toContain(task.id);
    }
    // The probes are recorded as denied access against the task.
    const denied = await t.database.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'access.denied')
      .where('entity_id', '=', task.id)
      .execute();
    expect(denied.length).toBe(9);
    expect(await getTask(task.id)).toMatchObject({ status: 'succeeded' });
  });

  it('running it again changes nothing', async () => {
    const before = await getTask(task.id);
    expect(await runTaskNow(deps, task.id)).toBeNull();
    expect(await getTask(task.id)).toEqual(before);
  });
});

describe('tasks that do not run to the end', () => {
  it('cannot be downloaded before they succeed', async () => {
    const task = await start(owner, { kind: 'export.users' });
    const res = await inject('GET', `/api/v1/tasks/${task.id}/download`, owner);
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('task.not_ready');
  });

  it('a queued task cancelled never runs', async () => {
    const task = await start(owner, { kind: 'export.users' });
    const res = await inject('POST', `/api/v1/tasks/${task.id}/cancel`, owner);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'cancelled', finishedAt: expect.any(String) });
    // Twice is harmless.
    expect((await inject('POST', `/api/v1/tasks/${task.id}/cancel`, owner)).json().status).toBe('cancelled');
    expect(await runTaskNow(deps, task.id)).toBeNull();
    expect((await getTask(task.id)).status).toBe('cancelled');
    expect(await events('task.cancelled', task.id)).toHaveLength(1);
  });

  it('a running task cancelled stops after its batch and leaves no file', async () => {
    const task = await start(owner, { kind: 'export.users' });
    const filesBefore = exportFiles();
    let batches = 0;
    const ended = await runTaskNow(
      {
        ...deps,
        onProgress: async ({ taskId }) => {
          batches++;
          if (batches === 2) {
            const res = await inject('POST', `/api/v1/tasks/${taskId}/cancel`, owner);
            expect(res.json().status).toBe('cancelled');
          }
        },
      },
      task.id,
    );
    expect(batches).toBe(2);
    expect(ended).toMatchObject({ status: 'cancelled', result: null, progress: { done: 10 } });
    expect(ended!.progress.total).toBeGreaterThan(10);
    expect(exportFiles()).toEqual(filesBefore);
    const res = await inject('GET', `/api/v1/tasks/${task.id}/download`, owner);
    expect(res.json().code).toBe('task.not_ready');
  });

  it('a finished task cannot be cancelled', async () => {
    const task = await start(owner, { kind: 'export.users', params: { q: 'Obuasi Person 1' } });
    expect((await runTaskNow(deps, task.id))?.status).toBe('succeeded');
    const res = await inject('POST', `/api/v1/tasks/${task.id}/cancel`, owner);
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('task.finished');
  });

  async function officeAccount(role: string) {
    const phone = newPhone();
    const created = await inject('POST', '/api/v1/users', admin, {
      name: 'Short Stay',
      phone,
      password: TEST_PASSWORD,
      areaId: t.fx.areas.obuasi.id,
      assignments: [{ roleCode: role, areaId: t.fx.areas.obuasi.id }],
    });
    expect(created.statusCode, created.body).toBe(201);
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { phone, password: TEST_PASSWORD },
    });
    return {
      id: created.json().id as string,
      assignmentId: created.json().assignments[0].id as string,
      headers: { authorization: `Bearer ${login.json().token}` },
    };
  }

  it('fails with task.owner_disabled when its owner was disabled before it ran', async () => {
    const leaving = await officeAccount('office_admin');
    const task = await start(leaving.headers, { kind: 'export.users' });
    expect((await inject('POST', `/api/v1/users/${leaving.id}/disable`, admin)).statusCode).toBe(200);
    const filesBefore = exportFiles();
    const ended = await runTaskNow(deps, task.id);
    expect(ended).toMatchObject({
      status: 'failed',
      errorCode: 'task.owner_disabled',
      result: null,
      finishedAt: expect.any(String),
    });
    expect(exportFiles()).toEqual(filesBefore);
    const [failed] = await events('task.failed', task.id);
    expect(failed).toMatchObject({ actor_id: leaving.id, meta: { errorCode: 'task.owner_disabled' } });
    expect(await events('task.succeeded', task.id)).toEqual([]);
  });

  it('fails with task.owner_forbidden when its owner lost the permission before it ran', async () => {
    const moved = await officeAccount('district_officer');
    const task = await start(moved.headers, { kind: 'export.users' });
    const removed = await inject(
      'DELETE' as 'POST',
      `/api/v1/users/${moved.id}/assignments/${moved.assignmentId}`,
      admin,
    );
    expect(removed.statusCode, removed.body).toBe(200);
    const ended = await runTaskNow(deps, task.id);
    expect(ended).toMatchObject({ status: 'failed', errorCode: 'task.owner_forbidden' });
  });
});

describe('exporting the audit trail', () => {
  it('gives the same CSV as the synchronous export, within the caller’s jurisdiction', async () => {
    const ashanti = await t.login('ashantiOfficer');
    for (const [headers, who] of [
      [auditor, 'auditor'],
      [ashanti, 'ashantiOfficer'],
    ] as const) {
      const task = await start(headers, { kind: 'export.audit', params: { action: 'user.created' } });
      const ended = await runTaskNow(deps, task.id);
      expect(ended?.status, who).toBe('succeeded');
      expect(ended?.result?.name).toMatch(/^audit-events-.*\.csv$/);
      const file = await inject('GET', `/api/v1/tasks/${task.id}/download`, headers);
      const sync = await inject('GET', '/api/v1/audit-events?action=user.created&format=csv', headers);
      expect(file.body, who).toBe(sync.body);
      expect(file.body.split('\r\n').length).toBeGreaterThan(2);
    }
  });
});

describe('GET /tasks', () => {
  it("lists the caller's own tasks, newest first, page by page", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      // Task ids are UUIDv7 from the clock: ordered by millisecond, as creation is.
      t.clock.advance(1);
      ids.push((await start(other, { kind: 'export.users' })).id);
    }
    const walked: TaskDto[] = [];
    let cursor: string | null = null;
    do {
      const res = await inject('GET', `/api/v1/tasks?limit=2${cursor ? `&cursor=${cursor}` : ''}`, other);
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json() as { items: TaskDto[]; nextCursor: string | null };
      walked.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(walked.map((w) => w.id)).toEqual([...ids].reverse());
    expect(walked.every((w) => w.createdBy === t.fx.users.bibianiAdmin.id)).toBe(true);

    const mine = (await inject('GET', '/api/v1/tasks?limit=500', owner)).json() as { items: TaskDto[] };
    expect(mine.items.length).toBeGreaterThan(5);
    expect(mine.items.every((w) => w.createdBy === t.fx.users.obuasiAdmin.id)).toBe(true);
    const ordered = mine.items.map((w) => w.id);
    expect(ordered).toEqual([...ordered].sort().reverse());

    const succeeded = (await inject('GET', '/api/v1/tasks?status=succeeded', owner)).json() as {
      items: TaskDto[];
    };
    expect(succeeded.items.length).toBeGreaterThan(0);
    expect(succeeded.items.every((w) => w.status === 'succeeded')).toBe(true);

    const bad = await inject('GET', '/api/v1/tasks?cursor=bm9wZQ', owner);
    expect(bad.json().code).toBe('request.invalid_cursor');
  });
});

describe('with the pg-boss worker', () => {
  it('runs a started task in the background, and picks up tasks left queued', async () => {
    const leftOver = await start(owner, { kind: 'export.users', params: { q: 'Obuasi Person 2' } });
    const jobs: PgBossJobs = await startJobs(t.database, {
      pollingIntervalSeconds: 0.5,
      retryDelaySeconds: 1,
      stopTimeoutMs: 5000,
    });
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', JOBS: 'on', DATA_DIR: dataDir });
    const app = await buildApp({ config, database: t.database, clock: t.clock, jobs });
    try {
      await registerTaskWorker(jobs, deps);
      const res = await inject(
        'POST',
        '/api/v1/tasks',
        owner,
        { kind: 'export.users', params: { sort: '-name' } },
        app,
      );
      expect(res.statusCode, res.body).toBe(202);
      const id = (res.json() as TaskDto).id;
      await vi.waitFor(async () => expect((await getTask(id)).status).toBe('succeeded'), {
        timeout: 30_000,
        interval: 200,
      });
      const file = await inject('GET', `/api/v1/tasks/${id}/download`, owner, undefined, app);
      const sync = await inject('GET', '/api/v1/users?sort=-name&format=csv', owner, undefined, app);
      expect(file.body).toBe(sync.body);
      await vi.waitFor(async () => expect((await getTask(leftOver.id)).status).toBe('succeeded'), {
        timeout: 30_000,
        interval: 200,
      });
    } finally {
      await app.close();
      await jobs.stop();
    }
  });
});
