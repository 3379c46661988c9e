/**
 * The access matrix: every endpoint × every role × a record inside and outside the caller's
 * jurisdiction. Expectations come from the declared policy (DEFAULT_ROLES): the test proves the
 * server enforces it everywhere. A new route that is not in ENDPOINTS fails the coverage test, so
 * this table grows with every module.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertFeatures } from '../../src/server/modules/cadastre/repo.ts';
import { licensingDb } from '../../src/server/modules/licensing/repo.ts';
import { peopleDb } from '../../src/server/modules/people/repo.ts';
import { insertTask, tasksDb } from '../../src/server/modules/tasks/repo.ts';
import { uuidv7 } from '../../src/shared/ids.ts';
import { DEFAULT_ROLES, type Permission } from '../../src/shared/permissions.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { custodyActor, produce, site, systemTransfer } from '../support/custody-flow.ts';
import type { AreaKey, UserKey } from '../support/fixtures.ts';
import { ALL_MET, installTestStandard } from '../support/improvement-flow.ts';
import { COMMUNITY_PERMIT, installTestProfile, TRANSFERABLE_PERMIT } from '../support/licence-profile.ts';
import { payFee } from '../support/licensing-flow.ts';

let t: TestApp;
/** DATA_DIR of the app: task results are files under it. */
let dataDir: string;
const headers: Partial<Record<UserKey, Record<string, string>>> = {};
/** One target account per district: the records the matrix reads and writes. */
const targets: Partial<Record<AreaKey, string>> = {};
const tokenIn: Partial<Record<AreaKey, string>> = {};
/** One registered person per district (people registry). */
const people: Partial<Record<AreaKey, string>> = {};
const DISTRICTS: AreaKey[] = ['obuasi', 'amansie', 'bibiani', 'sefwi'];

type Kind = 'read' | 'write' | 'collection' | 'global' | 'national' | 'self' | 'own';
interface Endpoint {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  permission: Permission | null;
  /** read/write: a record in an area; collection: lists scoped records; global: unscoped reference data;
   * national: needs the permission at a country root; self: any signed-in caller; own: records that
   * belong to the account that made them (tasks), which no one else may see, whatever their role:
   * the request names a record of `owner`, and the matrix also sends it naming someone else's. */
  kind: Kind;
  request: (
    area: AreaKey,
    owner: UserKey,
  ) => Promise<{ url: string; payload?: object | string; headers?: Record<string, string> }>;
}

const personVersion = async (id: string) =>
  (
    await peopleDb(t.database.db)
      .selectFrom('people')
      .select('version')
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
  ).version;

/** The start of a JPEG: the server recognises a photo by its signature. */
const MATRIX_PHOTO = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]);
/** The district's person, with a photo put on file by the administrator (for reading and removing). */
async function personWithPhoto(a: AreaKey): Promise<string> {
  const res = await t.app.inject({
    method: 'PUT',
    url: `/api/v1/people/${people[a]}/photo`,
    headers: { ...headers.admin, 'content-type': 'image/jpeg' },
    payload: MATRIX_PHOTO,
  });
  expect(res.statusCode, res.body).toBe(200);
  return people[a]!;
}

const version = async (id: string) =>
  (await t.database.db.selectFrom('users').select('version').where('id', '=', id).executeTakeFirstOrThrow())
    .version;

/**
 * A task of `owner`, written straight to the table: every caller owns one, even those who may not
 * start any. A succeeded one comes with its result file.
 */
async function taskOf(owner: UserKey, status: 'queued' | 'succeeded' = 'queued'): Promise<string> {
  const id = uuidv7();
  const user = t.fx.users[owner];
  const now = t.clock.now();
  await insertTask(t.database.db, {
    id,
    kind: 'export.users',
    params: { sort: 'createdAt' },
    createdBy: user.id,
    areaId: user.areaId,
    createdAt: now,
  });
  if (status === 'succeeded') {
    mkdirSync(join(dataDir, 'exports'), { recursive: true });
    writeFileSync(join(dataDir, 'exports', `${id}.csv`), 'id\r\n');
    await tasksDb(t.database.db)
      .updateTable('tasks')
      .set({
        status: 'succeeded',
        started_at: now,
        finished_at: now,
        result_file: `exports/${id}.csv`,
        result_name: 'users.csv',
        result_type: 'text/csv; charset=utf-8',
        result_bytes: 4,
      })
      .where('id', '=', id)
      .execute();
  }
  return id;
}

/** An enterprise and a production unit per district (registry), registered by the admin on first use. */
const registryRecords: Record<string, string> = {};
async function registryRecord(kind: 'enterprises' | 'production-units', a: AreaKey): Promise<string> {
  const key = `${kind} ${a}`;
  if (!registryRecords[key]) {
    const areaId = t.fx.areas[a].id;
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/${kind}`,
      headers: headers.admin,
      payload:
        kind === 'enterprises'
          ? { name: `Matrix ${a}`, form: 'association', areaId }
          : { kind: 'pit', name: `Matrix pit ${a}`, areaId },
    });
    expect(res.statusCode, res.body).toBe(201);
    registryRecords[key] = res.json().id;
  }
  return registryRecords[key]!;
}
/** A cadastre layer of the admin's, made on first use, for imports and features. */
let matrixLayer: string | null = null;
async function cadastreLayer(): Promise<string> {
  if (!matrixLayer) {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cadastre/layers',
      headers: headers.admin,
      payload: { country: 'GH', kind: 'lsm_title', name: 'Matrix titles' },
    });
    expect(res.statusCode, res.body).toBe(201);
    matrixLayer = res.json().id as string;
  }
  return matrixLayer;
}
const MATRIX_SQUARE = {
  type: 'Polygon' as const,
  coordinates: [
    [
      [-1.9, 6.1],
      [-1.8, 6.1],
      [-1.8, 6.2],
      [-1.9, 6.2],
      [-1.9, 6.1],
    ] as [number, number][],
  ],
};
/** A cadastre feature placed in the district (written straight to the table: fixture areas have no shapes). */
const cadastreFeatures: Partial<Record<AreaKey, string>> = {};
async function cadastreFeatureIn(a: AreaKey): Promise<string> {
  if (!cadastreFeatures[a]) {
    const id = uuidv7();
    await insertFeatures(t.database.db, [
      {
        id,
        layerId: await cadastreLayer(),
        externalRef: `matrix-${a}`,
        name: null,
        status: 'active',
        attributes: {},
        geometry: MATRIX_SQUARE,
        bbox: [-1.9, 6.1, -1.8, 6.2],
        areaM2: 1,
        areaId: t.fx.areas[a].id,
        licenceId: null,
        designationDate: null,
        allowedTiers: null,
        createdAt: t.clock.now(),
      },
    ]);
    cadastreFeatures[a] = id;
  }
  return cadastreFeatures[a]!;
}
/** A layer of detected mining activity with one detection in every district, made on first use. */
let matrixDetections: string | null = null;
async function detectionLayer(): Promise<string> {
  if (!matrixDetections) {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cadastre/layers',
      headers: headers.admin,
      payload: { country: 'GH', kind: 'activity_detection', name: 'Matrix detections' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const layerId = res.json().id as string;
    const areas = Object.values(t.fx.areas).filter((x) => x.path.split('/').length > 4);
    await insertFeatures(
      t.database.db,
      areas.map((x) => ({
        id: uuidv7(),
        layerId,
        externalRef: `matrix-detection-${x.id}`,
        name: null,
        status: 'active',
        attributes: {},
        geometry: MATRIX_SQUARE,
        bbox: [-1.9, 6.1, -1.8, 6.2],
        areaM2: 1,
        areaId: x.id,
        licenceId: null,
        designationDate: null,
        allowedTiers: null,
        createdAt: t.clock.now(),
      })),
    );
    matrixDetections = layerId;
  }
  return matrixDetections;
}
/** The If-Match of a registry record as it is now. */
async function registryEtag(kind: 'enterprises' | 'production-units', id: string): Promise<string> {
  const res = await t.app.inject({ method: 'GET', url: `/api/v1/${kind}/${id}`, headers: headers.admin });
  return res.headers.etag as string;
}
/** A fresh member of the district's enterprise, so every caller meets one to end. */
async function memberIn(a: AreaKey): Promise<{ enterprise: string; member: string }> {
  const enterprise = await registryRecord('enterprises', a);
  const member = uuidv7();
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/v1/enterprises/${enterprise}/members`,
    headers: headers.admin,
    payload: {
      id: member,
      memberName: 'Matrix Member',
      sex: 'female',
      role: 'member',
      startDate: '2026-01-01',
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  return { enterprise, member };
}

/** Licensing records made by the admin: an application taken to a stage, or a licence in a state. */
let licensingHolders = 0;
async function adminPost(url: string, payload?: object) {
  const res = await t.app.inject({
    method: 'POST',
    url,
    headers: headers.admin,
    ...(payload ? { payload } : {}),
  });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
}
type Stage = 'draft' | 'submitted' | 'under_review' | 'approved';
async function applicationIn(a: AreaKey, stage: Stage, tierCode = 'community_permit'): Promise<string> {
  // A fresh person each time, so issuing never meets an active licence of the same tier.
  const holder = await adminPost('/api/v1/people', {
    givenName: 'Licence',
    familyName: `Holder${++licensingHolders}`,
    sex: 'not_stated',
    areaId: t.fx.areas[a].id,
    checkDuplicates: false,
  });
  const app = await adminPost('/api/v1/licence-applications', {
    tierCode,
    holderKind: 'person',
    holderId: holder.id,
    requestedAreaHectares: 1,
  });
  const steps: [Stage, string, object?][] = [
    ['submitted', 'submit'],
    ['under_review', 'review'],
    ['approved', 'decision', { outcome: 'approve' }],
  ];
  for (const [reached, path, payload] of steps) {
    if (stage === 'draft') break;
    await adminPost(`/api/v1/licence-applications/${app.id}/${path}`, payload);
    if (reached === stage) break;
  }
  // An approved application is ready to issue: its fee is paid (licensing-flow.ts).
  if (stage === 'approved') await payFee(t.app, headers.admin!, app.id);
  return app.id;
}
async function licenceIn(a: AreaKey, status: 'active' | 'suspended' = 'active'): Promise<string> {
  const licence = await adminPost(`/api/v1/licence-applications/${await applicationIn(a, 'approved')}/issue`);
  if (status === 'suspended') await adminPost(`/api/v1/licences/${licence.id}/suspend`, { reason: 'Matrix' });
  return licence.id;
}
/** A fresh active licence whose last day is near enough to renew (renewal opens 90 days before). */
async function renewableLicenceIn(a: AreaKey): Promise<string> {
  const id = await licenceIn(a);
  await licensingDb(t.database.db)
    .updateTable('licences')
    .set({ valid_to: '2026-04-30' })
    .where('id', '=', id)
    .execute();
  return id;
}
let matrixConditions = 0;
/** The URL of a fresh open condition on the district's licence. */
async function openConditionIn(a: AreaKey): Promise<string> {
  const licence = await cached(`licence ${a}`, () => licenceIn(a));
  const c = await adminPost(`/api/v1/licences/${licence}/conditions`, {
    code: `matrix_${++matrixConditions}`,
    description: 'Matrix',
    dueDate: '2026-12-31',
  });
  return `/api/v1/licences/${licence}/conditions/${c.id}`;
}
/** Fees and rights (licence-fees, licence-rights): a fee payment, a transferable licence, an encumbrance. */
let matrixPayments = 0;
const feePayment = (amountMinor = 1) => ({
  amountMinor,
  currency: 'GHS',
  method: 'mobile_money',
  reference: `MATRIX-${++matrixPayments}-${uuidv7()}`,
});
async function paymentIn(a: AreaKey): Promise<string> {
  const application = await cached(`payable ${a}`, () => applicationIn(a, 'submitted'));
  const p = await adminPost(`/api/v1/licence-applications/${application}/payments`, feePayment());
  return `/api/v1/licence-applications/${application}/payments/${p.id}`;
}
async function transferableLicenceIn(a: AreaKey): Promise<string> {
  return (
    await adminPost(
      `/api/v1/licence-applications/${await applicationIn(a, 'approved', 'transferable_permit')}/issue`,
    )
  ).id;
}
async function encumbranceIn(a: AreaKey): Promise<string> {
  const licence = await cached(`transferable ${a}`, () => transferableLicenceIn(a));
  const e = await adminPost(`/api/v1/licences/${licence}/encumbrances`, {
    kind: 'lien',
    creditorName: 'Matrix Bank',
    amountMinor: 1000,
    currency: 'GHS',
  });
  return `/api/v1/licences/${licence}/encumbrances/${e.id}`;
}
const licensingCache: Record<string, string> = {};
async function cached(key: string, make: () => Promise<string>): Promise<string> {
  licensingCache[key] ??= await make();
  return licensingCache[key]!;
}

/** Production logbooks: the district licence's report of the current month (its tier reports monthly). */
const logbookBody = async (a: AreaKey) => ({
  licenceId: await cached(`licence ${a}`, () => licenceIn(a)),
  periodStart: `${t.clock.now().toISOString().slice(0, 7)}-01`,
  mineralMassMg: 1_000,
  workers: { women: 1, men: 1, otherOrUnknown: 0 },
  source: 'officer_from_paper',
});
const logbookIn = (a: AreaKey) =>
  cached(`logbook ${a}`, async () => (await adminPost('/api/v1/logbooks', await logbookBody(a))).id);

/** Chain of custody: actors and a site per district (made once), fresh lots for every write. */
type CustodyKind = Parameters<typeof custodyActor>[3];
const custodyActorIn = (a: AreaKey, kind: CustodyKind) =>
  cached(`custody ${kind} ${a}`, () => custodyActor(t, headers.admin!, a, kind));
const custodySiteIn = (a: AreaKey) => cached(`custody site ${a}`, () => site(t, headers.admin!, a));
/** A fresh open lot held by an actor of the kind in the district (produced, then sold to it). */
async function custodyLotIn(a: AreaKey, kind: CustodyKind = 'miner'): Promise<string> {
  const miner = await custodyActorIn(a, 'miner');
  const lot = await produce(t, headers.admin!, miner, await custodySiteIn(a), 1_000);
  if (kind !== 'miner') await systemTransfer(t, [lot.id], miner, await custodyActorIn(a, kind));
  return lot.id;
}
const custodyLotCached = (a: AreaKey) => cached(`custody lot ${a}`, () => custodyLotIn(a));
const custodyTag = async (a: AreaKey) =>
  (
    await t.app.inject({
      method: 'GET',
      url: `/api/v1/lots/${await custodyLotCached(a)}`,
      headers: headers.admin,
    })
  ).json().tag as string;

/** Custody oversight: a fresh open flag (production at an unlicensed site raises one), incidents per district. */
async function custodyFlagIn(a: AreaKey): Promise<string> {
  const lot = await custodyLotIn(a);
  const { rows } = await sql<{ id: string }>`SELECT id FROM custody_flags WHERE lot_id = ${lot}`.execute(
    t.database.db,
  );
  return rows[0]!.id;
}
const custodyFlagCached = (a: AreaKey) => cached(`custody flag ${a}`, () => custodyFlagIn(a));
const incidentBody = (a: AreaKey) => ({
  category: 'bribery',
  areaId: t.fx.areas[a].id,
  description: 'Matrix observation',
  observedAt: '2026-03-01T12:00:00Z',
});
const incidentIn = (a: AreaKey) =>
  cached(`incident ${a}`, async () => (await adminPost('/api/v1/custody/incidents', incidentBody(a))).id);

/** Improvement standard: the test standard in the profile (once), an enterprise per district as subject. */
const improvementStandard = () =>
  cached('improvement standard', async () => {
    await installTestStandard(t.database);
    return 'GH';
  });
const improvementSubject = async (a: AreaKey) => {
  await improvementStandard();
  return registryRecord('enterprises', a);
};
const verificationOf = async (a: AreaKey) => ({
  subjectKind: 'enterprise',
  subjectId: await improvementSubject(a),
  kind: 'verification',
  answers: ALL_MET,
});
const improvementAssessmentIn = (a: AreaKey) =>
  cached(
    `improvement assessment ${a}`,
    async () => (await adminPost('/api/v1/improvement/assessments', await verificationOf(a))).id,
  );
const improvementAction = () => ({
  requirementCode: 'first_aid',
  action: 'Buy a first-aid kit',
  owner: 'Secretary',
});
/** A fresh plan action in the district, made by the administrator. */
const improvementActionIn = async (a: AreaKey): Promise<string> =>
  (
    await adminPost(
      `/api/v1/improvement/subjects/enterprise/${await improvementSubject(a)}/actions`,
      improvementAction(),
    )
  ).id;

const ENDPOINTS: Endpoint[] = [
  {
    method: 'GET',
    url: '/api/v1/me',
    permission: null,
    kind: 'self',
    request: async () => ({ url: '/api/v1/me' }),
  },
  {
    method: 'GET',
    url: '/api/v1/users',
    permission: 'users.read',
    kind: 'collection',
    request: async () => ({ url: '/api/v1/users?limit=500' }),
  },
  {
    method: 'GET',
    url: '/api/v1/users/:id',
    permission: 'users.read',
    kind: 'read',
    request: async (a) => ({ url: `/api/v1/users/${targets[a]}` }),
  },
  {
    method: 'POST',
    url: '/api/v1/users',
    permission: 'users.manage',
    kind: 'write',
    request: async (a) => ({
      url: '/api/v1/users',
      payload: {
        name: 'Matrix Created',
        phone: `+2335${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`,
        areaId: t.fx.areas[a].id,
      },
    }),
  },
  {
    method: 'PATCH',
    url: '/api/v1/users/:id',
    permission: 'users.manage',
    kind: 'write',
    request: async (a) => ({
      url: `/api/v1/users/${targets[a]}`,
      payload: { preferredLanguage: 'en' },
      headers: { 'if-match': `"v${await version(targets[a]!)}"` },
    }),
  },
  {
    method: 'POST',
    url: '/api/v1/users/:id/enable',
    permission: 'users.manage',
    kind: 'write',
    request: async (a) => ({ url: `/api/v1/users/${targets[a]}/enable` }),
  },
  {
    method: 'POST',
    url: '/api/v1/users/:id/disable',
    permission: 'users.manage',
    kind: 'write',
    request: async (a) => ({ url: `/api/v1/users/${targets[a]}/disable` }),
  },
  {
    method: 'POST',
    url: '/api/v1/users/:id/assignments',
    permission: 'users.manage',
    kind: 'write',
    request: async (a) => ({
      url: `/api/v1/users/${targets[a]}/assignments`,
      payload: { roleCode: 'community_monitor', areaId: t.fx.areas[a].id },
    }),
  },
  {
    method: 'DELETE',
    url: '/api/v1/users/:id/assignments/:assignmentId',
    permission: 'users.manage',
    kind: 'write',
    request: async (a) => {
      // A fresh assignment to take away each time, so every caller meets one.
      const id = uuidv7();
      await t.database.db
        .insertInto('user_assignments')
        .values({ id, user_id: targets[a]!, role_code: 'buying_station_agent', area_id: t.fx.areas[a].id })
        .onConflict((oc) => oc.columns(['user_id', 'role_code', 'area_id']).doNothing())
        .execute();
      const row = await t.database.db
        .selectFrom('user_assignments')
        .select('id')
        .where('user_id', '=', targets[a]!)
        .where('role_code', '=', 'buying_station_agent')
        .executeTakeFirstOrThrow();
      return { url: `/api/v1/users/${targets[a]}/assignments/${row.id}` };
    },
  },
  {
    method: 'GET',
    url: '/api/v1/roles',
    permission: 'roles.read',
    kind: 'global',
    request: async () => ({ url: '/api/v1/roles' }),
  },
  {
    method: 'PATCH',
    url: '/api/v1/roles/:code',
    permission: 'roles.manage',
    kind: 'national',
    request: async () => {
      const r = await t.database.db
        .selectFrom('roles')
        .select('version')
        .where('code', '=', 'community_monitor')
        .executeTakeFirstOrThrow();
      return {
        url: '/api/v1/roles/community_monitor',
        payload: { description: 'Records site observations.' },
        headers: { 'if-match': `"v${r.version}"` },
      };
    },
  },
  {
    method: 'GET',
    url: '/api/v1/api-tokens',
    permission: 'tokens.manage',
    kind: 'collection',
    request: async () => ({ url: '/api/v1/api-tokens' }),
  },
  {
    method: 'POST',
    url: '/api/v1/api-tokens',
    permission: 'tokens.manage',
    kind: 'write',
    request: async (a) => ({
      url: '/api/v1/api-tokens',
      payload: {
        name: 'Station tablet',
        roleCode: 'buying_station_agent',
        areaId: t.fx.areas[a].id,
        scopes: ['areas.read'],
      },
    }),
  },
  {
    method: 'POST',
    url: '/api/v1/api-tokens/:id/revoke',
    permission: 'tokens.manage',
    kind: 'write',
    request: async (a) => ({ url: `/api/v1/api-tokens/${tokenIn[a]}/revoke` }),
  },
  {
    method: 'GET',
    url: '/api/v1/admin-areas',
    permission: 'areas.read',
    kind: 'global',
    request: async () => ({ url: '/api/v1/admin-areas' }),
  },
  {
    method: 'GET',
    url: '/api/v1/admin-areas.geojson',
    permission: 'areas.read',
    kind: 'global',
    request: async () => ({ url: '/api/v1/admin-areas.geojson' }),
  },
  {
    method: 'GET',
    url: '/api/v1/admin-areas/:id',
    permission: 'areas.read',
    kind: 'global',
    request: async () => ({ url: `/api/v1/admin-areas/${t.fx.areas.obuasi.id}` }),
  },
  {
    method: 'GET',
    url: '/api/v1/profiles',
    permission: 'profiles.read',
    kind: 'global',
    request: async () => ({ url: '/api/v1/profiles' }),
  },
  {
    method: 'GET',
    url: '/api/v1/profiles/:profileId',
    permission: 'profiles.read',
    kind: 'global',
    request: async () => ({ url: '/api/v1/profiles/none-loaded' }),
  },
  {
    method: 'GET',
    url: '/api/v1/audit-events',
    permission: 'audit.read',
    kind: 'collection',
    request: async () => ({ url: '/api/v1/audit-events?limit=500' }),
  },
  {
    method: 'POST',
    url: '/api/v1/audit/verify',
    permission: 'audit.verify',
    kind: 'global',
    request: async () => ({ url: '/api/v1/audit/verify' }),
  },
  {
    method: 'GET',
    url: '/api/v1/audit/checkpoints',
    permission: 'audit.read',
    kind: 'global',
    request: async () => ({ url: '/api/v1/audit/checkpoints' }),
  },
  {
    method: 'POST',
    url: '/api/v1/audit/checkpoints',
    permission: 'audit.verify',
    kind: 'global',
    request: async () => ({ url: '/api/v1/audit/checkpoints' }),
  },
  {
    method: 'POST',
    url: '/api/v1/tasks',
    permission: 'users.read',
    kind: 'own',
    request: async () => ({ url: '/api/v1/tasks', payload: { kind: 'export.users' } }),
  },
  {
    // The same route: what starting a task needs depends on its kind.
    method: 'POST',
    url: '/api/v1/tasks',
    permission: 'audit.read',
    kind: 'own',
    request: async () => ({ url: '/api/v1/tasks', payload: { kind: 'export.audit' } }),
  },
  {
    method: 'GET',
    url: '/api/v1/tasks',
    permission: null,
    kind: 'own',
    request: async (_a, owner) => {
      await taskOf(owner);
      return { url: '/api/v1/tasks?limit=500' };
    },
  },
  {
    method: 'GET',
    url: '/api/v1/tasks/:id',
    permission: null,
    kind: 'own',
    request: async (_a, owner) => ({ url: `/api/v1/tasks/${await taskOf(owner)}` }),
  },
  {
    method: 'POST',
    url: '/api/v1/tasks/:id/cancel',
    permission: null,
    kind: 'own',
    request: async (_a, owner) => ({ url: `/api/v1/tasks/${await taskOf(owner)}/cancel` }),
  },
  {
    method: 'GET',
    url: '/api/v1/tasks/:id/download',
    permission: null,
    kind: 'own',
    request: async (_a, owner) => ({ url: `/api/v1/tasks/${await taskOf(owner, 'succeeded')}/download` }),
  },
  {
    method: 'GET',
    url: '/api/v1/enterprises',
    permission: 'registry.read',
    kind: 'collection',
    request: async () => ({ url: '/api/v1/enterprises?limit=500' }),
  },
  {
    method: 'POST',
    url: '/api/v1/enterprises',
    permission: 'registry.write',
    kind: 'write',
    request: async (a) => ({
      url: '/api/v1/enterprises',
      payload: { name: 'Matrix Created', form: 'cooperative', areaId: t.fx.areas[a].id },
    }),
  },
  {
    method: 'GET',
    url: '/api/v1/enterprises/:id',
    permission: 'registry.read',
    kind: 'read',
    request: async (a) => ({ url: `/api/v1/enterprises/${await registryRecord('enterprises', a)}` }),
  },
  {
    method: 'PATCH',
    url: '/api/v1/enterprises/:id',
    permission: 'registry.write',
    kind: 'write',
    request: async (a) => {
      const id = await registryRecord('enterprises', a);
      return {
        url: `/api/v1/enterprises/${id}`,
        payload: { benefitSharingRules: 'Equal shares after costs.' },
        headers: { 'if-match': await registryEtag('enterprises', id) },
      };
    },
  },
  {
    method: 'GET',
    url: '/api/v1/enterprises/:id/history',
    permission: 'registry.read',
    kind: 'read',
    request: async (a) => ({ url: `/api/v1/enterprises/${await registryRecord('enterprises', a)}/history` }),
  },
  {
    method: 'POST',
    url: '/api/v1/enterprises/:id/members',
    permission: 'registry.write',
    kind: 'write',
    request: async (a) => ({
      url: `/api/v1/enterprises/${await registryRecord('enterprises', a)}/members`,
      payload: { memberName: 'Matrix Worker', sex: 'male', role: 'worker', startDate: '2026-02-01' },
    }),
  },
  {
    method: 'POST',
    url: '/api/v1/enterprises/:id/members/:memberId/end',
    permission: 'registry.write',
    kind: 'write',
    request: async (a) => {
      const { enterprise, member } = await memberIn(a);
      return { url: `/api/v1/enterprises/${enterprise}/members/${member}/end`, payload: {} };
    },
  },
  {
    method: 'GET',
    url: '/api/v1/production-units',
    permission: 'registry.read',
    kind: 'collection',
    request: async () => ({ url: '/api/v1/production-units?limit=500' }),
  },
  {
    method: 'POST',
    url: '/api/v1/production-units',
    permission: 'registry.write',
    kind: 'write',
    request: async (a) => ({
      url: '/api/v1/production-units',
      payload: { kind: 'shaft', name: 'Matrix Created', areaId: t.fx.areas[a].id },
    }),
  },
  {
    method: 'GET',
    url: '/api/v1/production-units/:id',
    permission: 'registry.read',
    kind: 'read',
    request: async (a) => ({
      url: `/api/v1/production-units/${await registryRecord('production-units', a)}`,
    }),
  },
  {
    method: 'PATCH',
    url: '/api/v1/production-units/:id',
    permission: 'registry.write',
    kind: 'write',
    request: async (a) => {
      const id = await registryRecord('production-units', a);
      return {
        url: `/api/v1/production-units/${id}`,
        payload: { equipment: [{ item: 'water pump', count: 1 }] },
        headers: { 'if-match': await registryEtag('production-units', id) },
      };
    },
  },
  {
    method: 'GET',
    url: '/api/v1/people',
    permission: 'registry.read',
    kind: 'collection',
    request: async () => ({ url: '/api/v1/people?limit=500' }),
  },
  {
    method: 'POST',
    url: '/api/v1/people',
    permission: 'registry.write',
    kind: 'write',
    request: async (a) => ({
      url: '/api/v1/people',
      payload: {
        givenName: 'Matrix',
        familyName: 'Created',
        sex: 'not_stated',
        areaId: t.fx.areas[a].id,
        checkDuplicates: false,
      },
    }),
  },
  {
    method: 'GET',
    url: '/api/v1/people/:id',
    permission: 'registry.read',
    kind: 'read',
    request: async (a) => ({ url: `/api/v1/people/${people[a]}` }),
  },
  {
    method: 'PATCH',
    url: '/api/v1/people/:id',
    permission: 'registry.write',
    kind: 'write',
    request: async (a) => ({
      url: `/api/v1/people/${people[a]}`,
      payload: { sex: 'not_stated' },
      headers: { 'if-match': `"v${await personVersion(people[a]!)}"` },
    }),
  },
  {
    method: 'GET',
    url: '/api/v1/people/:id/sensitive',
    permission: 'registry.sensitive.read',
    kind: 'read',
    request: async (a) => ({ url: `/api/v1/people/${people[a]}/sensitive` }),
  },
  {
    // Needs registry.sensitive.read too; every default role with registry.write holds it.
    method: 'PUT',
    url: '/api/v1/people/:id/sensitive',
    permission: 'registry.write',
    kind: 'write',
    request: async (a) => ({
      url: `/api/v1/people/${people[a]}/sensitive`,
      payload: { disability: null, migrant: true, ethnicMinority: null, legalBasis: 'consent' },
    }),
  },
  {
    method: 'PUT',
    url: '/api/v1/people/:id/photo',
    permission: 'registry.write',
    kind: 'write',
    request: async (a) => ({
      url: `/api/v1/people/${people[a]}/photo`,
      payload: MATRIX_PHOTO,
      headers: { 'content-type': 'image/jpeg' },
    }),
  },
  {
    method: 'GET',
    url: '/api/v1/people/:id/photo',
    permission: 'registry.read',
    kind: 'read',
    request: async (a) => ({ url: `/api/v1/people/${await personWithPhoto(a)}/photo` }),
  },
  {
    method: 'DELETE',
    url: '/api/v1/people/:id/photo',
    permission: 'registry.write',
    kind: 'write',
    request: async (a) => ({ url: `/api/v1/people/${await personWithPhoto(a)}/photo` }),
  },
  {
    method: 'GET',
    url: '/api/v1/licence-applications',
    permission: 'licensing.read',
    kind: 'collection',
    request: async () => ({ url: '/api/v1/licence-applications?limit=500' }),
  },
  {
    method: 'POST',
    url: '/api/v1/licence-applications',
    permission: 'licensing.apply',
    kind: 'write',
    request: async (a) => ({
      url: '/api/v1/licence-applications',
      payload: {
        tierCode: 'community_permit',
        holderKind: 'person',
        holderId: people[a],
        requestedAreaHectares: 1,
      },
    }),
  },
  {
    method: 'GET',
    url: '/api/v1/licence-applications/:id',
    permission: 'licensing.read',
    kind: 'read',
    request: async (a) => ({
      url: `/api/v1/licence-applications/${await cached(`draft ${a}`, () => applicationIn(a, 'draft'))}`,
    }),
  },
  {
    method: 'GET',
    url: '/api/v1/licence-applications/:id/area',
    permission: 'licensing.read',
    kind: 'read',
    request: async (a) => ({
      url: `/api/v1/licence-applications/${await cached(`draft ${a}`, () => applicationIn(a, 'draft'))}/area`,
    }),
  },
  {
    method: 'PATCH',
    url: '/api/v1/licence-applications/:id',
    permission: 'licensing.apply',
    kind: 'write',
    request: async (a) => {
      const id = await applicationIn(a, 'draft');
      return {
        url: `/api/v1/licence-applications/${id}`,
        payload: { requestedAreaHectares: 1.5 },
        headers: { 'if-match': '"v1"' },
      };
    },
  },
  {
    method: 'PUT',
    url: '/api/v1/licence-applications/:id/area',
    permission: 'licensing.apply',
    kind: 'write',
    request: async (a) => ({
      url: `/api/v1/licence-applications/${await applicationIn(a, 'draft')}/area`,
      payload: {
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [-1.68, 6.2],
              [-1.679, 6.2],
              [-1.679, 6.201],
              [-1.68, 6.201],
              [-1.68, 6.2],
            ],
          ],
        },
      },
    }),
  },
  {
    method: 'POST',
    url: '/api/v1/licence-applications/:id/submit',
    permission: 'licensing.apply',
    kind: 'write',
    request: async (a) => ({ url: `/api/v1/licence-applications/${await applicationIn(a, 'draft')}/submit` }),
  },
  {
    method: 'POST',
    url: '/api/v1/licence-applications/:id/review',
    permission: 'licensing.decide',
    kind: 'write',
    request: async (a) => ({
      url: `/api/v1/licence-applications/${await applicationIn(a, 'submitted')}/review`,
    }),
  },
  {
    method: 'POST',
    url: '/api/v1/licence-applications/:id/checklist',
    permission: 'licensing.decide',
    kind: 'write',
    request: async (a) => ({
      url: `/api/v1/licence-applications/${await cached(`review ${a}`, () => applicationIn(a, 'under_review'))}/checklist`,
      payload: { code: 'national_id', met: true },
    }),
  },
  {
    method: 'POST',
    url: '/api/v1/licence-applications/:id/decision',
    permission: 'licensing.decide',
    kind: 'write',
    request: async (a) => ({
      url: `/api/v1/licence-applications/${await applicationIn(a, 'under_review')}/decision`,
      payload: { outcome: 'approve' },
    }),
  },
  {
    method: 'POST',
    url: '/api/v1/licence-applications/:id/issue',
    permission: 'licensing.decide',
    kind: 'write',
    request: async (a) => ({
      url: `/api/v1/licence-applications/${await applicationIn(a, 'approved')}/issue`,
    }),
  },
  {
    method: 'GET',
    url: '/api/v1/licences',
    permission: 'licensing.read',
    kind: 'collection',
    request: async () => ({ url: '/api/v1/licences?limit=500' }),
  },
  {
    method: 'GET',
    url: '/api/v1/licences/:id',
    permission: 'licensing.read',
    kind: 'read',
    request: async (a) => ({ url: `/api/v1/licences/${await cached(`licence ${a}`, () => licenceIn(a))}` }),
  },
  {
    method: 'GET',
    url: '/api/v1/licences/:id/events',
    permission: 'licensing.read',
    kind: 'read',
    request: async (a) => ({
      url: `/api/v1/licences/${await cached(`licence ${a}`, () => licenceIn(a))}/events`,
    }),
  },
  {
    method: 'GET',
    url: '/api/v1/licence-applications/:id/events',
    permission: 'licensing.read',
    kind: 'read',
    request: async (a) => ({
      url: `/api/v1/licence-applications/${await cached(`draft ${a}`, () => applicationIn(a, 'draft'))}/events`,
    }),
  },
  {
    method: 'GET',
    url: '/api/v1/licences/:id/card',
    permission: 'licensing.read',
    kind: 'read',
    request: async (a) => ({
      url: `/api/v1/licences/${await cached(`licence ${a}`, () => licenceIn(a))}/card`,
    }),
  },
  {
    method: 'GET',
    url: '/api/v1/licences/:id/card.pdf',
    permission: 'licensing.read',
    kind: 'read',
    request: async (a) => ({
      url: `/api/v1/licences/${await cached(`licence ${a}`, () => licenceIn(a))}/card.pdf`,
    }),
  },
  {
    method: 'POST',
    url: '/api/v1/licences/:id/suspend',
    permission: 'licensing.decide',
    kind: 'write',
    request: async (a) => ({
      url: `/api/v1/licences/${await licenceIn(a)}/suspend`,
      payload: { reason: 'Matrix' },
    }),
  },
  {
    method: 'POST',
    url: '/api/v1/licences/:id/reinstate',
    permission: 'licensing.decide',
    kind: 'write',
    request: async (a) => ({
      url: `/api/v1/licences/${await licenceIn(a, 'suspended')}/reinstate`,
      payload: {},
    }),
  },
  {
    method: 'POST',
    url: '/api/v1/licences/:id/revoke',
    permission: 'licensing.decide',
    kind: 'write',
    request: async (a) => ({
      url: `/api/v1/licences/${await licenceIn(a)}/revoke`,
      payload: { reason: 'Matrix' },
    }),
  },
  {
    method: 'POST',
    url: '/api/v1/licences/:id/renew',
    permission: 'licensing.apply',
    kind: 'write',
    request: async (a) => ({ url: `/api/v1/licences/${await renewableLicenceIn(a)}/renew` }),
  },
  {
    method: 'GET',
    url: '/api/v1/licences/:id/conditions',
    permission: 'licensing.read',
    kind: 'read',
    request: async (a) => ({
      url: `/api/v1/licences/${await cached(`licence ${a}`, () => licenceIn(a))}/conditions`,
    }),
  },
  {
    method: 'POST',
    url: '/api/v1/licences/:id/conditions',
    permission: 'licensing.decide',
    kind: 'write',
    request: async (a) => ({
      url: `/api/v1/licences/${await cached(`licence ${a}`, () => licenceIn(a))}/conditions`,
      payload: { code: `matrix_${++matrixConditions}`, description: 'Matrix', dueDate: '2026-12-31' },
    }),
  },
  {
    method: 'POST',
    url: '/api/v1/licences/:id/conditions/:conditionId/met',
    permission: 'licensing.decide',
    kind: 'write',
    request: async (a) => ({ url: `${await openConditionIn(a)}/met`, payload: { evidenceNote: 'Matrix' } }),
  },
  {
    method: 'POST',
    url: '/api/v1/licences/:id/conditions/:conditionId/waive',
    permission: 'licensing.decide',
    kind: 'write',
    request: async (a) => ({ url: `${await openConditionIn(a)}/waive`, payload: { reason: 'Matrix' } }),
  },
  {
    method: 'GET',
    url: '/api/v1/licence-queue',
    permission: 'licensing.read',
    kind: 'collection',
    request: async () => ({ url: '/api/v1/licence-queue?limit=500' }),
  },
  {
    method: 'GET',
    url: '/api/v1/licence-applications/:id/payments',
    permission: 'licensing.read',
    kind: 'read',
    request: async (a) => ({
      url: `/api/v1/licence-applications/${await cached(`payable ${a}`, () => applicationIn(a, 'submitted'))}/payments`,
    }),
  },
  {
    method: 'POST',
    url: '/api/v1/licence-applications/:id/payments',
    permission: 'fees.record',
    kind: 'write',
    request: async (a) => ({
      url: `/api/v1/licence-applications/${await cached(`payable ${a}`, () => applicationIn(a, 'submitted'))}/payments`,
      payload: feePayment(),
    }),
  },
  {
    method: 'GET',
    url: '/api/v1/licence-applications/:id/payments/:paymentId/receipt.pdf',
    permission: 'licensing.read',
    kind: 'read',
    request: async (a) => ({ url: `${await cached(`payment ${a}`, () => paymentIn(a))}/receipt.pdf` }),
  },
  {
    method: 'GET',
    url: '/api/v1/licences/cards.pdf',
    permission: 'licensing.read',
    kind: 'read',
    request: async (a) => ({
      url: `/api/v1/licences/cards.pdf?ids=${await cached(`licence ${a}`, () => licenceIn(a))}`,
    }),
  },
  {
    method: 'GET',
    url: '/api/v1/licences/:id/next-tier',
    permission: 'licensing.read',
    kind: 'read',
    request: async (a) => ({
      url: `/api/v1/licences/${await cached(`licence ${a}`, () => licenceIn(a))}/next-tier`,
    }),
  },
  {
    method: 'GET',
    url: '/api/v1/licences/:id/encumbrances',
    permission: 'licensing.read',
    kind: 'read',
    request: async (a) => ({
      url: `/api/v1/licences/${await cached(`transferable ${a}`, () => transferableLicenceIn(a))}/encumbrances`,
    }),
  },
  {
    method: 'POST',
    url: '/api/v1/licences/:id/encumbrances',
    permission: 'licensing.decide',
    kind: 'write',
    request: async (a) => ({
      url: `/api/v1/licences/${await cached(`transferable ${a}`, () => transferableLicenceIn(a))}/encumbrances`,
      payload: { kind: 'charge', creditorName: 'Matrix Lender', amountMinor: 500, currency: 'GHS' },
    }),
  },
  {
    method: 'POST',
    url: '/api/v1/licences/:id/encumbrances/:encumbranceId/release',
    permission: 'licensing.decide',
    kind: 'write',
    request: async (a) => ({ url: `${await encumbranceIn(a)}/release`, payload: {} }),
  },
  {
    method: 'GET',
    url: '/api/v1/licences/:id/transfers',
    permission: 'licensing.read',
    kind: 'read',
    request: async (a) => ({
      url: `/api/v1/licences/${await cached(`transferable ${a}`, () => transferableLicenceIn(a))}/transfers`,
    }),
  },
  {
    method: 'POST',
    url: '/api/v1/licences/:id/transfers',
    permission: 'licensing.decide',
    kind: 'write',
    request: async (a) => {
      const to = await adminPost('/api/v1/people', {
        givenName: 'Transfer',
        familyName: `Receiver${++licensingHolders}`,
        sex: 'not_stated',
        areaId: t.fx.areas[a].id,
        checkDuplicates: false,
      });
      return {
        url: `/api/v1/licences/${await transferableLicenceIn(a)}/transfers`,
        payload: { toHolderKind: 'person', toHolderId: to.id, reason: 'Matrix' },
      };
    },
  },
  {
    method: 'GET',
    url: '/api/v1/cadastre/layers',
    permission: 'cadastre.read',
    kind: 'global',
    request: async () => ({ url: '/api/v1/cadastre/layers' }),
  },
  {
    method: 'POST',
    url: '/api/v1/cadastre/layers',
    permission: 'cadastre.manage',
    kind: 'national',
    request: async () => ({
      url: '/api/v1/cadastre/layers',
      payload: { country: 'GH', kind: 'asm_zone', name: `Matrix zones ${uuidv7()}` },
    }),
  },
  {
    method: 'POST',
    url: '/api/v1/cadastre/layers/:id/import',
    permission: 'cadastre.manage',
    kind: 'national',
    request: async () => ({
      url: `/api/v1/cadastre/layers/${await cadastreLayer()}/import`,
      payload: {
        type: 'FeatureCollection',
        features: [{ type: 'Feature', properties: {}, geometry: MATRIX_SQUARE }],
      },
    }),
  },
  {
    method: 'POST',
    url: '/api/v1/cadastre/layers/:id/import.csv',
    permission: 'cadastre.manage',
    kind: 'national',
    request: async () => ({
      url: `/api/v1/cadastre/layers/${await cadastreLayer()}/import.csv`,
      headers: { 'content-type': 'text/csv' },
      payload: MATRIX_SQUARE.coordinates[0]!.reduce(
        (csv, [lon, lat]) => `${csv}${lon},${lat}\n`,
        'lon,lat\n',
      ),
    }),
  },
  {
    // Lists only the features inside the caller's areas: covered by cadastre.test.ts.
    method: 'GET',
    url: '/api/v1/cadastre/layers/:id/features.geojson',
    permission: 'cadastre.read',
    kind: 'global',
    request: async () => ({ url: `/api/v1/cadastre/layers/${await cadastreLayer()}/features.geojson` }),
  },
  {
    method: 'GET',
    url: '/api/v1/cadastre/features/:id',
    permission: 'cadastre.read',
    kind: 'read',
    request: async (a) => ({ url: `/api/v1/cadastre/features/${await cadastreFeatureIn(a)}` }),
  },
  {
    // Reads only; rights anywhere in the country are shown, since a conflict across a boundary counts.
    method: 'POST',
    url: '/api/v1/cadastre/checks',
    permission: 'cadastre.read',
    kind: 'global',
    request: async () => ({
      url: '/api/v1/cadastre/checks',
      payload: { country: 'GH', geometry: MATRIX_SQUARE },
    }),
  },
  {
    // Detections by the district holding them: only the caller's districts (hotspots.test.ts).
    method: 'GET',
    url: '/api/v1/cadastre/hotspots',
    permission: 'cadastre.read',
    kind: 'collection',
    request: async () => ({ url: `/api/v1/cadastre/hotspots?layerId=${await detectionLayer()}` }),
  },
  {
    method: 'GET',
    url: '/api/v1/custody/actors',
    permission: 'custody.read',
    kind: 'collection',
    request: async () => ({ url: '/api/v1/custody/actors?limit=500' }),
  },
  {
    method: 'POST',
    url: '/api/v1/custody/actors',
    permission: 'custody.record',
    kind: 'write',
    request: async (a) => ({
      url: '/api/v1/custody/actors',
      payload: { kind: 'trader', name: 'Matrix Trader', areaId: t.fx.areas[a].id },
    }),
  },
  {
    method: 'GET',
    url: '/api/v1/custody/actors/:id',
    permission: 'custody.read',
    kind: 'read',
    request: async (a) => ({ url: `/api/v1/custody/actors/${await custodyActorIn(a, 'miner')}` }),
  },
  {
    method: 'POST',
    url: '/api/v1/lots',
    permission: 'custody.record',
    kind: 'write',
    request: async (a) => ({
      url: '/api/v1/lots',
      payload: {
        holderActorId: await custodyActorIn(a, 'miner'),
        originSiteId: await custodySiteIn(a),
        mineral: 'gold',
        form: 'ore',
        massMg: 500,
      },
    }),
  },
  {
    method: 'GET',
    url: '/api/v1/lots',
    permission: 'custody.read',
    kind: 'collection',
    request: async (a) => {
      await custodyLotCached(a);
      return { url: '/api/v1/lots?limit=500' };
    },
  },
  {
    method: 'GET',
    url: '/api/v1/lots/by-tag/:tag',
    permission: 'custody.read',
    kind: 'read',
    request: async (a) => ({ url: `/api/v1/lots/by-tag/${await custodyTag(a)}` }),
  },
  {
    method: 'GET',
    url: '/api/v1/lots/:id',
    permission: 'custody.read',
    kind: 'read',
    request: async (a) => ({ url: `/api/v1/lots/${await custodyLotCached(a)}` }),
  },
  {
    method: 'GET',
    url: '/api/v1/lots/:id/events',
    permission: 'custody.read',
    kind: 'read',
    request: async (a) => ({ url: `/api/v1/lots/${await custodyLotCached(a)}/events` }),
  },
  {
    method: 'GET',
    url: '/api/v1/lots/:id/trace',
    permission: 'custody.read',
    kind: 'read',
    request: async (a) => ({ url: `/api/v1/lots/${await custodyLotCached(a)}/trace?direction=downstream` }),
  },
  {
    method: 'GET',
    url: '/api/v1/custody/sites/:id/downstream',
    permission: 'custody.read',
    kind: 'read',
    request: async (a) => ({ url: `/api/v1/custody/sites/${await custodySiteIn(a)}/downstream` }),
  },
  {
    method: 'POST',
    url: '/api/v1/custody/transfers',
    permission: 'custody.record',
    kind: 'write',
    request: async (a) => ({
      url: '/api/v1/custody/transfers',
      payload: {
        lotIds: [await custodyLotIn(a)],
        sellerActorId: await custodyActorIn(a, 'miner'),
        buyerActorId: await custodyActorIn(a, 'buying_station'),
        recordedSide: 'buyer',
      },
    }),
  },
  {
    method: 'POST',
    url: '/api/v1/custody/transfers/batch',
    permission: 'custody.record',
    kind: 'write',
    request: async (a) => ({
      url: '/api/v1/custody/transfers/batch',
      payload: {
        items: [
          {
            id: uuidv7(),
            lotIds: [await custodyLotIn(a)],
            sellerActorId: await custodyActorIn(a, 'miner'),
            buyerActorId: await custodyActorIn(a, 'buying_station'),
            recordedSide: 'buyer',
          },
        ],
      },
    }),
  },
  {
    method: 'POST',
    url: '/api/v1/custody/transfers/:id/confirm',
    permission: 'custody.record',
    kind: 'write',
    request: async (a) => {
      const lot = await custodyLotIn(a);
      const id = await systemTransfer(
        t,
        [lot],
        await custodyActorIn(a, 'miner'),
        await custodyActorIn(a, 'buying_station'),
      );
      return { url: `/api/v1/custody/transfers/${id}/confirm` };
    },
  },
  {
    method: 'POST',
    url: '/api/v1/custody/splits',
    permission: 'custody.record',
    kind: 'write',
    request: async (a) => ({
      url: '/api/v1/custody/splits',
      payload: { lotId: await custodyLotIn(a), outputs: [{ massMg: 400 }, { massMg: 600 }] },
    }),
  },
  {
    method: 'POST',
    url: '/api/v1/custody/merges',
    permission: 'custody.record',
    kind: 'write',
    request: async (a) => ({
      url: '/api/v1/custody/merges',
      payload: { lotIds: [await custodyLotIn(a), await custodyLotIn(a)] },
    }),
  },
  {
    method: 'POST',
    url: '/api/v1/custody/processings',
    permission: 'custody.record',
    kind: 'write',
    request: async (a) => ({
      url: '/api/v1/custody/processings',
      payload: { lotIds: [await custodyLotIn(a)], output: { form: 'concentrate', massMg: 900 } },
    }),
  },
  {
    method: 'POST',
    url: '/api/v1/custody/exports',
    permission: 'custody.record',
    kind: 'write',
    request: async (a) => ({
      url: '/api/v1/custody/exports',
      payload: {
        lotIds: [await custodyLotIn(a, 'exporter')],
        exportPermit: 'MATRIX-EXPORT',
        destinationCountry: 'CH',
      },
    }),
  },
  {
    method: 'GET',
    url: '/api/v1/custody/mass-balance',
    permission: 'custody.read',
    kind: 'collection',
    request: async (a) => {
      await custodyLotCached(a);
      return { url: '/api/v1/custody/mass-balance?from=2026-03-01&to=2026-03-31&limit=500' };
    },
  },
  {
    method: 'GET',
    url: '/api/v1/custody/flags',
    permission: 'custody.read',
    kind: 'collection',
    request: async (a) => {
      await custodyFlagCached(a);
      return { url: '/api/v1/custody/flags?limit=500' };
    },
  },
  {
    method: 'GET',
    url: '/api/v1/custody/flags/:id',
    permission: 'custody.read',
    kind: 'read',
    request: async (a) => ({ url: `/api/v1/custody/flags/${await custodyFlagCached(a)}` }),
  },
  {
    method: 'POST',
    url: '/api/v1/custody/flags/:id/resolve',
    permission: 'incidents.manage',
    kind: 'write',
    request: async (a) => ({
      url: `/api/v1/custody/flags/${await custodyFlagIn(a)}/resolve`,
      payload: { reason: 'Checked by the matrix' },
    }),
  },
  {
    method: 'GET',
    url: '/api/v1/custody/reference-prices',
    permission: 'custody.read',
    kind: 'global',
    request: async () => ({ url: '/api/v1/custody/reference-prices?country=GH&mineral=gold' }),
  },
  {
    method: 'POST',
    url: '/api/v1/custody/reference-prices',
    permission: 'incidents.manage',
    kind: 'national',
    request: async () => ({
      url: '/api/v1/custody/reference-prices',
      payload: {
        country: 'GH',
        mineral: 'gold',
        day: '2026-03-01',
        priceMinor: 150_000,
        currency: 'GHS',
        source: 'Matrix',
      },
    }),
  },
  {
    method: 'POST',
    url: '/api/v1/custody/incidents',
    permission: 'incidents.record',
    kind: 'write',
    request: async (a) => ({ url: '/api/v1/custody/incidents', payload: incidentBody(a) }),
  },
  {
    method: 'GET',
    url: '/api/v1/custody/incidents',
    permission: 'incidents.read',
    kind: 'collection',
    request: async (a) => {
      await incidentIn(a);
      return { url: '/api/v1/custody/incidents?limit=500' };
    },
  },
  {
    method: 'GET',
    url: '/api/v1/custody/incidents/:id',
    permission: 'incidents.read',
    kind: 'read',
    request: async (a) => ({ url: `/api/v1/custody/incidents/${await incidentIn(a)}` }),
  },
  {
    method: 'POST',
    url: '/api/v1/custody/incidents/:id/plan',
    permission: 'incidents.manage',
    kind: 'write',
    request: async (a) => ({
      url: `/api/v1/custody/incidents/${await incidentIn(a)}/plan`,
      payload: { actions: [{ action: 'Visit the site', owner: 'District officer', deadline: '2026-04-01' }] },
    }),
  },
  {
    method: 'POST',
    url: '/api/v1/custody/incidents/:id/status',
    permission: 'incidents.manage',
    kind: 'write',
    request: async (a) => ({
      url: `/api/v1/custody/incidents/${await incidentIn(a)}/status`,
      payload: { status: 'mitigating', reason: 'Plan agreed with the site' },
    }),
  },
  {
    method: 'GET',
    url: '/api/v1/lots/:id/label.pdf',
    permission: 'custody.read',
    kind: 'read',
    request: async (a) => ({ url: `/api/v1/lots/${await custodyLotCached(a)}/label.pdf` }),
  },
  {
    method: 'GET',
    url: '/api/v1/lots/labels.pdf',
    permission: 'custody.read',
    kind: 'read',
    request: async (a) => ({ url: `/api/v1/lots/labels.pdf?ids=${await custodyLotCached(a)}` }),
  },
  {
    method: 'GET',
    url: '/api/v1/lots/:id/due-diligence',
    permission: 'custody.read',
    kind: 'read',
    request: async (a) => ({ url: `/api/v1/lots/${await custodyLotCached(a)}/due-diligence` }),
  },
  {
    method: 'GET',
    url: '/api/v1/lots/:id/due-diligence.pdf',
    permission: 'custody.read',
    kind: 'read',
    request: async (a) => ({ url: `/api/v1/lots/${await custodyLotCached(a)}/due-diligence.pdf` }),
  },
  {
    method: 'GET',
    url: '/api/v1/lots/:id/eligibility',
    permission: 'custody.read',
    kind: 'read',
    request: async (a) => ({
      url: `/api/v1/lots/${await custodyLotCached(a)}/eligibility?buyerKind=exporter`,
    }),
  },
  {
    method: 'GET',
    url: '/api/v1/custody/actors/:id/due-diligence',
    permission: 'custody.read',
    kind: 'read',
    request: async (a) => ({
      url: `/api/v1/custody/actors/${await custodyActorIn(a, 'exporter')}/due-diligence`,
    }),
  },
  {
    method: 'GET',
    url: '/api/v1/custody/actors/:id/due-diligence.pdf',
    permission: 'custody.read',
    kind: 'read',
    request: async (a) => ({
      url: `/api/v1/custody/actors/${await custodyActorIn(a, 'exporter')}/due-diligence.pdf`,
    }),
  },
  {
    method: 'POST',
    url: '/api/v1/custody/actors/:id/suspend',
    permission: 'custody.suspend',
    kind: 'write',
    // A fresh actor each time: suspending one twice is a conflict.
    request: async (a) => ({
      url: `/api/v1/custody/actors/${await custodyActor(t, headers.admin!, a, 'trader')}/suspend`,
      payload: { reason: 'Matrix suspension' },
    }),
  },
  {
    method: 'POST',
    url: '/api/v1/custody/actors/:id/reinstate',
    permission: 'custody.suspend',
    kind: 'write',
    request: async (a) => {
      const id = await custodyActor(t, headers.admin!, a, 'trader');
      await adminPost(`/api/v1/custody/actors/${id}/suspend`, { reason: 'Matrix suspension' });
      return { url: `/api/v1/custody/actors/${id}/reinstate`, payload: { reason: 'Matrix reinstatement' } };
    },
  },
  {
    method: 'POST',
    url: '/api/v1/logbooks',
    permission: 'logbooks.record',
    kind: 'write',
    request: async (a) => ({ url: '/api/v1/logbooks', payload: await logbookBody(a) }),
  },
  {
    method: 'GET',
    url: '/api/v1/logbooks',
    permission: 'logbooks.read',
    kind: 'collection',
    request: async (a) => {
      await logbookIn(a);
      return { url: '/api/v1/logbooks?limit=500' };
    },
  },
  {
    method: 'GET',
    url: '/api/v1/logbooks/:id',
    permission: 'logbooks.read',
    kind: 'read',
    request: async (a) => ({ url: `/api/v1/logbooks/${await logbookIn(a)}` }),
  },
  {
    method: 'GET',
    url: '/api/v1/logbooks/missing',
    permission: 'logbooks.read',
    kind: 'read',
    request: async (a) => ({ url: `/api/v1/logbooks/missing?areaId=${t.fx.areas[a].id}` }),
  },
  {
    method: 'GET',
    url: '/api/v1/licences/:id/logbook.pdf',
    permission: 'logbooks.read',
    kind: 'read',
    request: async (a) => ({
      url: `/api/v1/licences/${await cached(`licence ${a}`, () => licenceIn(a))}/logbook.pdf?periods=2`,
    }),
  },
  {
    method: 'GET',
    url: '/api/v1/improvement/standard',
    permission: 'profiles.read',
    kind: 'global',
    request: async () => ({ url: `/api/v1/improvement/standard?country=${await improvementStandard()}` }),
  },
  {
    method: 'POST',
    url: '/api/v1/improvement/assessments',
    permission: 'improvement.verify',
    kind: 'write',
    request: async (a) => ({ url: '/api/v1/improvement/assessments', payload: await verificationOf(a) }),
  },
  {
    method: 'GET',
    url: '/api/v1/improvement/assessments',
    permission: 'improvement.read',
    kind: 'collection',
    request: async (a) => {
      await improvementAssessmentIn(a);
      return { url: '/api/v1/improvement/assessments?limit=500' };
    },
  },
  {
    method: 'GET',
    url: '/api/v1/improvement/assessments/:id',
    permission: 'improvement.read',
    kind: 'read',
    request: async (a) => ({ url: `/api/v1/improvement/assessments/${await improvementAssessmentIn(a)}` }),
  },
  {
    method: 'GET',
    url: '/api/v1/improvement/subjects/:kind/:id',
    permission: 'improvement.read',
    kind: 'read',
    request: async (a) => ({ url: `/api/v1/improvement/subjects/enterprise/${await improvementSubject(a)}` }),
  },
  {
    method: 'POST',
    url: '/api/v1/improvement/subjects/:kind/:id/actions',
    permission: 'improvement.assess',
    kind: 'write',
    request: async (a) => ({
      url: `/api/v1/improvement/subjects/enterprise/${await improvementSubject(a)}/actions`,
      payload: improvementAction(),
    }),
  },
  {
    method: 'PATCH',
    url: '/api/v1/improvement/actions/:id',
    permission: 'improvement.assess',
    kind: 'write',
    request: async (a) => ({
      url: `/api/v1/improvement/actions/${await improvementActionIn(a)}`,
      payload: { status: 'done' },
      headers: { 'if-match': '"v1"' },
    }),
  },
];

/** Routes outside the matrix, each with the reason. */
const EXEMPT: Record<string, string> = {
  'POST /api/v1/auth/login': 'public by nature; covered by auth.test.ts',
  'GET /api/v1/openapi.json': 'public API description',
  'GET /api/v1/client-config': 'public: languages, currency, map tiles; covered by conventions.test.ts',
  'POST /api/v1/auth/logout': "ends the caller's own session; covered by auth.test.ts",
  'GET /api/v1/verify/*': 'public by design: QR verification; covered by licence-cards.test.ts',
  'GET /api/v1/public/licences': 'public by design: the licence register; covered by public-register.test.ts',
  'GET /api/v1/public/licences.csv':
    'public by design: the register as CSV; covered by public-register.test.ts',
};

const CALLERS: UserKey[] = [
  'admin',
  'supervisor',
  'auditor',
  'ashantiOfficer',
  'obuasiOfficer',
  'obuasiAdmin',
  'bibianiAdmin',
  'agent',
  'monitor',
];

function roleOf(user: UserKey) {
  return DEFAULT_ROLES.find((r) => r.code === t.fx.users[user].role)!;
}
function grantPath(user: UserKey): string {
  const area = Object.values(t.fx.areas).find((a) => a.id === t.fx.users[user].areaId)!;
  return area.path;
}
/** A district inside the caller's area, and one outside it (null for national callers). */
function districtsFor(user: UserKey): { inside: AreaKey; outside: AreaKey | null } {
  const path = grantPath(user);
  const inside = DISTRICTS.find((d) => t.fx.areas[d].path.startsWith(path))!;
  const outside = DISTRICTS.find((d) => !t.fx.areas[d].path.startsWith(path)) ?? null;
  return { inside, outside };
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'openasm-matrix-'));
  t = await createTestApp({ DATA_DIR: dataDir });
  // The licensing endpoints need a country profile with one district-level tier.
  await installTestProfile(t.database, [COMMUNITY_PERMIT, TRANSFERABLE_PERMIT]);
  const admin = await t.login('admin');
  for (const d of DISTRICTS) {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: admin,
      payload: {
        name: `Target ${d}`,
        phone: `+2332411${String(DISTRICTS.indexOf(d)).padStart(5, '0')}`,
        areaId: t.fx.areas[d].id,
      },
    });
    expect(res.statusCode).toBe(201);
    targets[d] = res.json().id;
    const tok = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-tokens',
      headers: admin,
      payload: {
        name: `Token ${d}`,
        roleCode: 'buying_station_agent',
        areaId: t.fx.areas[d].id,
        scopes: ['areas.read'],
      },
    });
    expect(tok.statusCode).toBe(201);
    tokenIn[d] = tok.json().id;
    const person = await t.app.inject({
      method: 'POST',
      url: '/api/v1/people',
      headers: admin,
      payload: { givenName: 'Target', familyName: d, sex: 'not_stated', areaId: t.fx.areas[d].id },
    });
    expect(person.statusCode, person.body).toBe(201);
    people[d] = person.json().id;
  }
  for (const c of CALLERS) headers[c] = await t.login(c);
});
afterAll(async () => {
  await t?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('access matrix', () => {
  it('covers every route the app serves', () => {
    const served = t.app.routeTable
      .filter((r) => r.url.startsWith('/api/v1/'))
      .map((r) => `${r.method} ${r.url}`);
    const inTable = new Set(ENDPOINTS.map((e) => `${e.method} ${e.url}`));
    const missing = served.filter((r) => !inTable.has(r) && !(r in EXEMPT));
    expect(missing).toEqual([]);
  });

  for (const endpoint of ENDPOINTS) {
    describe(`${endpoint.method} ${endpoint.url}`, () => {
      for (const caller of CALLERS) {
        it(`as ${caller}`, async () => {
          const role = roleOf(caller);
          const allowed = endpoint.permission === null || role.permissions.includes(endpoint.permission);
          const { inside, outside } = districtsFor(caller);
          const send = async (area: AreaKey, owner: UserKey = caller) => {
            const req = await endpoint.request(area, owner);
            return t.app.inject({
              method: endpoint.method,
              url: req.url,
              payload: req.payload,
              headers: { ...headers[caller], ...(req.headers ?? {}) },
            });
          };

          const res = await send(inside);
          if (!allowed) {
            expect(res.statusCode, res.body).toBe(403);
            expect(res.json().code).toBe('access.forbidden');
            return;
          }
          if (endpoint.kind === 'national' && grantPath(caller).split('/').length > 3) {
            expect(res.statusCode, res.body).toBe(403);
            return;
          }
          if (endpoint.url === '/api/v1/profiles/:profileId') expect(res.statusCode).toBe(404);
          else expect(res.statusCode, res.body).toBeLessThan(300);

          if (endpoint.kind === 'collection') {
            // Only records inside the caller's jurisdiction are listed.
            const items = res.json().items as { areaId: string | null }[];
            const scope = grantPath(caller);
            const paths = new Map(Object.values(t.fx.areas).map((a) => [a.id, a.path]));
            for (const item of items) {
              if (item.areaId) expect(paths.get(item.areaId)?.startsWith(scope) ?? true).toBe(true);
            }
            if (endpoint.url === '/api/v1/users') {
              const ids = new Set(items.map((i) => (i as unknown as { id: string }).id));
              expect(ids.has(targets[inside]!)).toBe(true);
              if (outside) expect(ids.has(targets[outside]!)).toBe(false);
            }
          }
          if (endpoint.kind === 'own') {
            const self = t.fx.users[caller].id;
            const someoneElse: UserKey = caller === 'admin' ? 'auditor' : 'admin';
            if (endpoint.method === 'POST' && endpoint.url === '/api/v1/tasks') {
              expect(res.json().createdBy).toBe(self);
            } else if (endpoint.url === '/api/v1/tasks') {
              // Someone else has a task now too; the list still holds the caller's alone.
              const list = await send(inside, someoneElse);
              const items = list.json().items as { createdBy: string }[];
              expect(items.length).toBeGreaterThan(0);
              for (const item of items) expect(item.createdBy).toBe(self);
            } else {
              // Another account's task, whatever the caller's role: as if it did not exist.
              const foreign = await send(inside, someoneElse);
              expect(foreign.statusCode, foreign.body).toBe(404);
              expect(foreign.json().code).toBe('resource.not_found');
            }
          }
          if (outside && (endpoint.kind === 'read' || endpoint.kind === 'write')) {
            const versionBefore = await version(targets[outside]!);
            const out = await send(outside);
            // A refused write changes nothing.
            expect(await version(targets[outside]!)).toBe(versionBefore);
            if (endpoint.kind === 'read') {
              expect(out.statusCode, out.body).toBe(404);
              expect(out.json().code).toBe('resource.not_found');
            } else {
              expect(out.statusCode, out.body).toBe(403);
              expect(out.json().code).toBe('access.outside_jurisdiction');
            }
          }
        });
      }
    });
  }

  it('audits denied access', async () => {
    const before = await t.database.db
      .selectFrom('audit_events')
      .select('seq')
      .where('action', '=', 'access.denied')
      .execute();
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/users/${targets.bibiani}`,
      headers: headers.obuasiOfficer,
    });
    expect(res.statusCode).toBe(404);
    const after = await t.database.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'access.denied')
      .orderBy('seq', 'desc')
      .execute();
    expect(after.length).toBe(before.length + 1);
    expect(after[0]).toMatchObject({
      actor_id: t.fx.users.obuasiOfficer.id,
      entity_id: targets.bibiani,
      area_id: t.fx.areas.bibiani.id,
    });
  });

  it('an API token acts only within its scopes and area', async () => {
    const admin = headers.admin!;
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-tokens',
      headers: admin,
      payload: {
        id: uuidv7(),
        name: 'Gateway',
        roleCode: 'sms_gateway',
        areaId: t.fx.areas.ashanti.id,
        scopes: ['areas.read'],
      },
    });
    expect(created.statusCode).toBe(201);
    const bearer = { authorization: `Bearer ${created.json().token}` };
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/admin-areas', headers: bearer })).statusCode,
    ).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/profiles', headers: bearer })).statusCode).toBe(
      403,
    );
    const revoke = await t.app.inject({
      method: 'POST',
      url: `/api/v1/api-tokens/${created.json().id}/revoke`,
      headers: admin,
    });
    expect(revoke.statusCode).toBe(200);
    const after = await t.app.inject({ method: 'GET', url: '/api/v1/admin-areas', headers: bearer });
    expect(after.statusCode).toBe(401);
    expect(after.json().code).toBe('auth.invalid_token');
  });

  it('refuses token scopes beyond the allowed machine scopes', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-tokens',
      headers: headers.admin,
      payload: {
        name: 'Too strong',
        roleCode: 'system_admin',
        areaId: t.fx.areas.country.id,
        scopes: ['users.manage'],
      },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].code).toBe('scope_not_allowed');
  });
});
