/**
 * The improvement standard: the level a set of answers reaches (properties against an independent
 * computation), assessments and verifications through the API with their problems, progress over
 * time, improvement plans, and the licence conditions that ask for a verified level.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ImprovementAnswer, levelReached, metPercent } from '../../src/shared/improvement-level.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import type { AreaKey, UserKey } from '../support/fixtures.ts';
import { ALL_MET, answers, installTestStandard, TEST_STANDARD } from '../support/improvement-flow.ts';
import { installTestProfile, testTier } from '../support/licence-profile.ts';

let t: TestApp;
const sessions: Partial<Record<UserKey, { headers: Record<string, string>; at: number }>> = {};
/** Sessions signed in again when the clock has moved (tests jump months). */
async function as(user: UserKey): Promise<Record<string, string>> {
  const now = t.clock.now().getTime();
  const s = sessions[user];
  if (!s || now < s.at || now - s.at > 10 * 60_000)
    sessions[user] = { headers: await t.login(user), at: now };
  return sessions[user]!.headers;
}

/** A fee-free permit whose one condition asks for level 2 of the standard within a month. */
const PERMIT = {
  ...testTier('community_permit', 'district', ['person', 'enterprise'], 2),
  fee: { amountMinor: 0, currency: 'GHS' },
  conditions: [
    { code: 'improvement_level_2', names: { en: 'Improvement level 2' }, dueMonths: 1, improvementLevel: 2 },
  ],
};
const T0 = '2026-03-02T08:00:00Z';
const at = (iso: string) => t.clock.set(new Date(iso));

beforeAll(async () => {
  t = await createTestApp();
  await installTestProfile(t.database, [PERMIT] as ReturnType<typeof testTier>[]);
  await installTestStandard(t.database);
});
afterAll(async () => {
  await t?.close();
});
beforeEach(() => at(T0));

type Method = 'GET' | 'POST' | 'PATCH';
async function call(method: Method, url: string, who: UserKey, payload?: object, extra = {}) {
  return t.app.inject({
    method,
    url,
    headers: { ...(await as(who)), ...extra },
    ...(payload ? { payload } : {}),
  });
}
async function ok(method: Method, url: string, payload?: object, who: UserKey = 'admin') {
  const res = await call(method, url, who, payload);
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
}

let n = 0;
async function enterprise(area: AreaKey = 'obuasi'): Promise<string> {
  return (
    await ok('POST', '/api/v1/enterprises', {
      name: `Improving ${++n}`,
      form: 'association',
      areaId: t.fx.areas[area].id,
    })
  ).id;
}
async function person(area: AreaKey = 'obuasi'): Promise<string> {
  return (
    await ok('POST', '/api/v1/people', {
      givenName: 'Akosua',
      familyName: `Improver${++n}`,
      sex: 'female',
      areaId: t.fx.areas[area].id,
      checkDuplicates: false,
    })
  ).id;
}

const assess = (
  subjectId: string,
  kind: 'self' | 'verification',
  given: ReturnType<typeof answers>,
  extra: object = {},
  who: UserKey = 'obuasiOfficer',
  subjectKind = 'enterprise',
) =>
  call('POST', '/api/v1/improvement/assessments', who, {
    subjectKind,
    subjectId,
    kind,
    answers: given,
    ...extra,
  });

/** The level by its definition: the highest k such that every requirement of levels 1..k holds. */
function oracle(levels: number, requirements: { code: string; level: number }[], given: Map<string, string>) {
  let best = 0;
  for (let k = 1; k <= levels; k++) {
    const holds = requirements
      .filter((r) => r.level <= k)
      .every((r) => given.get(r.code) === 'met' || given.get(r.code) === 'not_applicable');
    if (holds) best = k;
  }
  return best;
}

const ANSWER_VALUES: ImprovementAnswer[] = ['met', 'partly', 'not_met', 'not_applicable'];
/** A random standard (1..5 levels, up to 12 requirements) and random answers, some left out. */
const standardAndAnswers = fc
  .integer({ min: 1, max: 5 })
  .chain((levels) =>
    fc.record({
      levels: fc.constant(levels),
      requirementLevels: fc.array(fc.integer({ min: 1, max: levels }), { minLength: 1, maxLength: 12 }),
      answers: fc.array(fc.option(fc.constantFrom(...ANSWER_VALUES), { nil: undefined }), {
        minLength: 12,
        maxLength: 12,
      }),
    }),
  )
  .map(({ levels, requirementLevels, answers: picked }) => {
    const requirements = requirementLevels.map((level, i) => ({ code: `r${i}`, level }));
    const given = new Map<string, ImprovementAnswer>();
    requirements.forEach((r, i) => {
      const a = picked[i];
      if (a !== undefined) given.set(r.code, a);
    });
    return { standard: { levels: Array.from({ length: levels }, (_, i) => i), requirements }, given };
  });

describe('the level reached (properties)', () => {
  it('agrees with the definition for any standard and answers', () => {
    fc.assert(
      fc.property(standardAndAnswers, ({ standard, given }) => {
        expect(levelReached(standard, given).level).toBe(
          oracle(standard.levels.length, standard.requirements, given),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('never goes down when one more requirement is found met', () => {
    fc.assert(
      fc.property(standardAndAnswers, fc.nat(), ({ standard, given }, pick) => {
        const code = standard.requirements[pick % standard.requirements.length]!.code;
        const before = levelReached(standard, given);
        const after = levelReached(standard, new Map(given).set(code, 'met'));
        expect(after.level).toBeGreaterThanOrEqual(before.level);
        expect(after.met).toBeGreaterThanOrEqual(before.met);
      }),
      { numRuns: 500 },
    );
  });

  it('a requirement not met at level k keeps the level below k', () => {
    fc.assert(
      fc.property(
        standardAndAnswers,
        fc.nat(),
        fc.constantFrom<ImprovementAnswer>('not_met', 'partly'),
        ({ standard, given }, pick, answer) => {
          const r = standard.requirements[pick % standard.requirements.length]!;
          expect(levelReached(standard, new Map(given).set(r.code, answer)).level).toBeLessThan(r.level);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('counts met and applicable requirements; an unanswered one applies and is not met', () => {
    const result = levelReached(
      TEST_STANDARD,
      new Map<string, ImprovementAnswer>([
        ['first_aid', 'met'],
        ['no_children', 'not_applicable'],
        ['retort', 'partly'],
      ]),
    );
    expect(result).toEqual({ level: 1, met: 1, applicable: 4 });
    expect(metPercent(result)).toBe(25);
    expect(metPercent({ met: 0, applicable: 0 })).toBe(100);
  });
});

describe('the standard', () => {
  it("is the country profile's, with its levels, modules and requirements", async () => {
    const res = await call('GET', '/api/v1/improvement/standard?country=GH', 'monitor');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ country: 'GH', standard: { code: 'test_standard' } });
    expect(res.json().standard.requirements).toHaveLength(5);
    const none = await call('GET', '/api/v1/improvement/standard?country=CD', 'monitor');
    expect(none.statusCode).toBe(404);
    const bad = await call('GET', '/api/v1/improvement/standard?country=ghana', 'monitor');
    expect(bad.statusCode).toBe(400);
  });
});

describe('assessments', () => {
  it('a verification finds the level; a self-assessment is shown apart and never counts as verified', async () => {
    const e = await enterprise();
    const self = await assess(e, 'self', answers({ first_aid: 'met', no_children: 'met', retort: 'met' }));
    expect(self.statusCode, self.body).toBe(201);
    expect(self.json()).toMatchObject({ kind: 'self', level: 1, met: 3, applicable: 5, metPercent: 60 });
    expect(self.headers.location).toBe(`/api/v1/improvement/assessments/${self.json().id}`);

    at('2026-03-10T08:00:00Z');
    const verified = await assess(
      e,
      'verification',
      answers({ first_aid: 'met', no_children: 'met', retort: 'met', shoring: 'not_met', no_mercury: 'met' }),
      { note: 'Visited the pits' },
    );
    expect(verified.statusCode, verified.body).toBe(201);
    // no_mercury is met, but shoring holds the producer below level 2.
    expect(verified.json()).toMatchObject({ kind: 'verification', level: 1, met: 4, metPercent: 80 });
    expect(verified.json().answers).toContainEqual({
      requirementCode: 'first_aid',
      answer: 'met',
      note: null,
      evidence: [{ kind: 'photo', reference: 'IMG-first_aid' }],
    });

    const subject = await ok(
      'GET',
      `/api/v1/improvement/subjects/enterprise/${e}`,
      undefined,
      'ashantiOfficer',
    );
    expect(subject).toMatchObject({
      levelCount: 3,
      verified: { level: 1, assessmentId: verified.json().id },
      self: { level: 1, assessmentId: self.json().id },
      firstAssessedAt: '2026-03-02T08:00:00.000Z',
    });
    expect(subject.history.map((h: { kind: string }) => h.kind)).toEqual(['self', 'verification']);

    const read = await ok(
      'GET',
      `/api/v1/improvement/assessments/${verified.json().id}`,
      undefined,
      'auditor',
    );
    expect(read).toEqual(verified.json());
    const audit = await t.database.db
      .selectFrom('audit_events')
      .select(['action', 'after'])
      .where('entity_id', '=', e)
      .where('action', 'like', 'improvement.%')
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['improvement.self_assessed', 'improvement.verified']);
    expect(audit[1]!.after).toMatchObject({ assessmentId: verified.json().id, level: 1 });
  });

  it('progress over time: the latest verification by date counts, even when an older one is entered later', async () => {
    const e = await enterprise();
    await assess(e, 'verification', answers({ first_aid: 'met', no_children: 'not_met' }), {
      assessedAt: '2026-01-05T09:00:00Z',
    });
    const latest = await assess(e, 'verification', ALL_MET, { assessedAt: '2026-02-20T09:00:00Z' });
    expect(latest.json().level).toBe(3);
    // Typed in today from a paper form filled in before the latest visit.
    const late = await assess(e, 'verification', answers({ first_aid: 'met', no_children: 'met' }), {
      assessedAt: '2026-02-01T09:00:00Z',
    });
    expect(late.json().level).toBe(1);
    const subject = await ok('GET', `/api/v1/improvement/subjects/enterprise/${e}`);
    expect(subject.verified).toMatchObject({ level: 3, assessmentId: latest.json().id });
    expect(subject.self).toBeNull();
    expect(
      subject.history.map((h: { assessedAt: string; level: number; metPercent: number }) => [
        h.assessedAt.slice(0, 10),
        h.level,
        h.metPercent,
      ]),
    ).toEqual([
      ['2026-01-05', 0, 20],
      ['2026-02-01', 1, 40],
      ['2026-02-20', 3, 100],
    ]);
  });

  it('refuses what can never be right, each with its code, and records nothing', async () => {
    const e = await enterprise();
    const cases: [object, number, string][] = [
      [{ answers: answers({ nothing_like_it: 'met' }) }, 422, 'improvement.unknown_requirement'],
      [
        { answers: [...answers({ first_aid: 'met' }), ...answers({ first_aid: 'not_met' })] },
        422,
        'improvement.duplicate_answer',
      ],
      [{ answers: [{ requirementCode: 'first_aid', answer: 'met' }] }, 422, 'improvement.evidence_required'],
      [{ answers: ALL_MET, assessedAt: '2026-03-03T08:00:00Z' }, 422, 'improvement.assessed_in_future'],
      [
        { answers: ALL_MET, subjectId: '0190f0f0-0000-7000-8000-000000000000' },
        422,
        'improvement.unknown_subject',
      ],
      [{ answers: ALL_MET, colour: 'red' }, 400, 'request.unknown_field'],
      [{ answers: [{ requirementCode: 'first_aid', answer: 'done' }] }, 400, 'request.validation_failed'],
    ];
    for (const [body, status, code] of cases) {
      const res = await call('POST', '/api/v1/improvement/assessments', 'obuasiOfficer', {
        subjectKind: 'enterprise',
        subjectId: e,
        kind: 'verification',
        ...body,
      });
      expect(res.statusCode, code).toBe(status);
      expect(res.json().code).toBe(code);
    }
    // A self-assessment is a claim: it needs no evidence.
    expect((await assess(e, 'self', [{ requirementCode: 'first_aid', answer: 'met' }])).statusCode).toBe(201);
    const subject = await ok('GET', `/api/v1/improvement/subjects/enterprise/${e}`);
    expect(subject.history).toHaveLength(1);
  });

  it('needs a standard in the country profile', async () => {
    const e = await enterprise();
    await installTestStandard(t.database, null);
    try {
      const res = await assess(e, 'verification', ALL_MET);
      expect(res.statusCode).toBe(409);
      expect(res.json().code).toBe('improvement.no_standard');
      const subject = await ok('GET', `/api/v1/improvement/subjects/enterprise/${e}`);
      expect(subject).toMatchObject({ levelCount: 0, verified: null, self: null, history: [] });
    } finally {
      await installTestStandard(t.database);
    }
  });

  it('an assessment made offline and sent twice is recorded once; its id cannot be reused', async () => {
    const e = await enterprise();
    const id = '0190f0f0-1111-7000-8000-000000000001';
    const first = await assess(e, 'verification', ALL_MET, { id });
    expect(first.statusCode, first.body).toBe(201);
    const again = await assess(e, 'verification', ALL_MET, { id });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    const other = await assess(await enterprise(), 'verification', ALL_MET, { id });
    expect(other.statusCode).toBe(409);
    expect(other.json().code).toBe('resource.id_conflict');
  });

  it('a monitor verifies in its area but does not record self-assessments; the auditor only reads', async () => {
    const bibiani = await enterprise('bibiani');
    const obuasi = await enterprise('obuasi');
    const v = await assess(bibiani, 'verification', ALL_MET, {}, 'monitor');
    expect(v.statusCode, v.body).toBe(201);
    expect(v.json().recordedBy).toBe(t.fx.users.monitor.id);
    const self = await assess(bibiani, 'self', ALL_MET, {}, 'monitor');
    expect(self.statusCode).toBe(403);
    expect(self.json().code).toBe('access.forbidden');
    const outside = await assess(obuasi, 'verification', ALL_MET, {}, 'monitor');
    expect(outside.statusCode).toBe(403);
    expect(outside.json().code).toBe('access.outside_jurisdiction');
    expect((await assess(obuasi, 'verification', ALL_MET, {}, 'auditor')).statusCode).toBe(403);
    const hidden = await call('GET', `/api/v1/improvement/subjects/enterprise/${bibiani}`, 'obuasiOfficer');
    expect(hidden.statusCode).toBe(404);
    const list = await ok('GET', '/api/v1/improvement/assessments?limit=500', undefined, 'obuasiOfficer');
    expect(list.items.some((a: { subjectId: string }) => a.subjectId === bibiani)).toBe(false);
    const mine = await ok(
      'GET',
      `/api/v1/improvement/assessments?subjectId=${bibiani}`,
      undefined,
      'monitor',
    );
    expect(mine.items.map((a: { id: string }) => a.id)).toEqual([v.json().id]);
  });

  it('lists page by page, newest recorded first', async () => {
    const e = await enterprise('sefwi');
    for (let i = 0; i < 3; i++) {
      at(`2026-03-0${2 + i}T08:00:00Z`);
      expect((await assess(e, 'self', ALL_MET, {}, 'admin')).statusCode).toBe(201);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string; recordedAt: string }[]; nextCursor: string | null } = await ok(
        'GET',
        `/api/v1/improvement/assessments?subjectId=${e}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.items.map((i) => i.recordedAt.slice(0, 10)));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['2026-03-04', '2026-03-03', '2026-03-02']);
  });
});

describe('improvement plans', () => {
  it('actions are due by default at the requirement deadline from the first assessment, and are followed up', async () => {
    const e = await enterprise();
    await assess(e, 'self', answers({ first_aid: 'not_met' }), { assessedAt: '2026-01-31T10:00:00Z' });
    const url = `/api/v1/improvement/subjects/enterprise/${e}/actions`;
    const first = await call('POST', url, 'obuasiOfficer', {
      requirementCode: 'first_aid',
      action: 'Buy a first-aid kit and train one worker',
      owner: 'Site secretary',
    });
    expect(first.statusCode, first.body).toBe(201);
    // Three months after 31 January: the end of April.
    expect(first.json()).toMatchObject({
      deadline: '2026-04-30',
      status: 'open',
      overdue: false,
      version: 1,
    });
    expect(first.headers.etag).toBe('"v1"');
    const second = await ok('POST', url, {
      requirementCode: 'retort',
      action: 'Get a retort from the programme',
      owner: 'Chairperson',
      deadline: '2026-03-15',
    });
    expect(second.planId).toBe(first.json().planId);

    const unknown = await call('POST', url, 'obuasiOfficer', {
      requirementCode: 'flying',
      action: 'x',
      owner: 'y',
    });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().code).toBe('improvement.unknown_requirement');

    at('2026-03-20T08:00:00Z');
    const subject = await ok('GET', `/api/v1/improvement/subjects/enterprise/${e}`);
    expect(
      subject.actions.map((a: { deadline: string; overdue: boolean }) => [a.deadline, a.overdue]),
    ).toEqual([
      ['2026-03-15', true],
      ['2026-04-30', false],
    ]);

    const patch = (id: string, body: object, etag?: string) =>
      call(
        'PATCH',
        `/api/v1/improvement/actions/${id}`,
        'obuasiOfficer',
        body,
        etag ? { 'if-match': etag } : {},
      );
    expect((await patch(second.id, { status: 'done' })).statusCode).toBe(428);
    expect((await patch(second.id, { status: 'done' }, '"v9"')).statusCode).toBe(412);
    const done = await patch(second.id, { status: 'done', note: 'Retort seen in use' }, '"v1"');
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({
      status: 'done',
      doneAt: '2026-03-20T08:00:00.000Z',
      statusNote: 'Retort seen in use',
      overdue: false,
      version: 2,
    });
    const toDropped = await patch(second.id, { status: 'dropped', note: 'x' }, '"v2"');
    expect(toDropped.statusCode).toBe(409);
    expect(toDropped.json().code).toBe('improvement.invalid_transition');
    const reopened = await patch(second.id, { status: 'open' }, '"v2"');
    expect(reopened.json()).toMatchObject({ status: 'open', doneAt: null, version: 3 });
    const noReason = await patch(first.json().id, { status: 'dropped' }, '"v1"');
    expect(noReason.statusCode).toBe(422);
    expect(noReason.json().code).toBe('improvement.note_required');

    const outside = await call(
      'PATCH',
      `/api/v1/improvement/actions/${first.json().id}`,
      'bibianiAdmin',
      {
        status: 'done',
      },
      { 'if-match': '"v1"' },
    );
    expect(outside.statusCode).toBe(403);
    expect(outside.json().code).toBe('access.outside_jurisdiction');

    const audit = await t.database.db
      .selectFrom('audit_events')
      .select('action')
      .where('entity_id', '=', e)
      .where('action', 'like', 'improvement.action%')
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      'improvement.action_added',
      'improvement.action_added',
      'improvement.action_updated',
      'improvement.action_updated',
    ]);
  });

  it('without any assessment, a deadline counts from today', async () => {
    const e = await enterprise();
    const a = await ok('POST', `/api/v1/improvement/subjects/enterprise/${e}/actions`, {
      requirementCode: 'no_mercury',
      action: 'Try a shaking table',
      owner: 'Plant manager',
    });
    expect(a.deadline).toBe('2028-03-02');
  });
});

describe('licence conditions', () => {
  it('a condition asking for level 2 is met once a verification finds level 2, and only then', async () => {
    const holder = await person();
    const application = await ok('POST', '/api/v1/licence-applications', {
      tierCode: 'community_permit',
      holderKind: 'person',
      holderId: holder,
      requestedAreaHectares: 1,
    });
    for (const step of ['submit', 'review'])
      await ok('POST', `/api/v1/licence-applications/${application.id}/${step}`);
    await ok('POST', `/api/v1/licence-applications/${application.id}/decision`, { outcome: 'approve' });
    const licence = await ok('POST', `/api/v1/licence-applications/${application.id}/issue`);
    const overdue = async () => (await ok('GET', `/api/v1/licences/${licence.id}/conditions`)).overdue;

    at('2026-04-10T08:00:00Z');
    expect(await overdue()).toBe(1);
    // The holder's own claim does not meet it.
    await assess(holder, 'self', ALL_MET, {}, 'obuasiOfficer', 'person');
    expect(await overdue()).toBe(1);
    const one = await assess(
      holder,
      'verification',
      answers({ first_aid: 'met', no_children: 'met', retort: 'met', shoring: 'partly' }),
      {},
      'obuasiOfficer',
      'person',
    );
    expect(one.json().level).toBe(1);
    expect(await overdue()).toBe(1);

    at('2026-04-11T08:00:00Z');
    const two = await assess(
      holder,
      'verification',
      answers({ first_aid: 'met', no_children: 'met', retort: 'met', shoring: 'met', no_mercury: 'not_met' }),
      {},
      'obuasiOfficer',
      'person',
    );
    expect(two.json().level).toBe(2);
    expect(await overdue()).toBe(0);

    // A later visit finds the producer has slipped back: the condition is unmet again.
    at('2026-05-11T08:00:00Z');
    await assess(
      holder,
      'verification',
      answers({ first_aid: 'met', no_children: 'not_met' }),
      {},
      'monitor',
      'person',
    ).then((r) => expect(r.statusCode).toBe(403));
    await assess(
      holder,
      'verification',
      answers({ first_aid: 'met', no_children: 'not_met' }),
      {},
      'obuasiOfficer',
      'person',
    );
    expect(await overdue()).toBe(1);
  });
});

describe('the level through the API (property)', () => {
  it('is the level the definition gives for the answers sent', async () => {
    const codes = TEST_STANDARD.requirements.map((r) => r.code);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.option(fc.constantFrom(...ANSWER_VALUES), { nil: undefined }), {
          minLength: codes.length,
          maxLength: codes.length,
        }),
        async (picked) => {
          const given: Record<string, ImprovementAnswer> = {};
          picked.forEach((a, i) => {
            if (a !== undefined) given[codes[i]!] = a;
          });
          fc.pre(Object.keys(given).length > 0);
          const res = await assess(await enterprise(), 'verification', answers(given));
          expect(res.statusCode, res.body).toBe(201);
          expect(res.json().level).toBe(
            oracle(TEST_STANDARD.levels.length, TEST_STANDARD.requirements, new Map(Object.entries(given))),
          );
        },
      ),
      { numRuns: 15 },
    );
  });
});
