/**
 * The people registry: miners and workers, their reference numbers, typo-tolerant search, the
 * likely-duplicate check, jurisdiction, and the vulnerable-group attributes kept apart and audited.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peopleDb } from '../../src/server/modules/people/repo.ts';
import { isValidReference, uuidv7 } from '../../src/shared/ids.ts';
import { AGE_BANDS, SEXES } from '../../src/shared/schemas/people.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
let admin: Record<string, string>;
let obuasiOfficer: Record<string, string>;
let ashantiOfficer: Record<string, string>;

let phoneSeq = 0;
const newPhone = () => `+23324${String(++phoneSeq).padStart(7, '0')}`;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.login('admin');
  obuasiOfficer = await t.login('obuasiOfficer');
  ashantiOfficer = await t.login('ashantiOfficer');
});
afterAll(async () => t?.close());

const post = (headers: Record<string, string>, payload: object) =>
  t.app.inject({ method: 'POST', url: '/api/v1/people', headers, payload });
const get = (headers: Record<string, string>, url: string) => t.app.inject({ method: 'GET', url, headers });
const countPeople = async () =>
  Number(
    (
      await peopleDb(t.database.db)
        .selectFrom('people')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
const auditCount = async (action: string) =>
  (await t.database.db.selectFrom('audit_events').select('seq').where('action', '=', action).execute())
    .length;

describe('registering, reading and changing a person', () => {
  it('creates with a checked reference number, reads it back, and updates with If-Match', async () => {
    const res = await post(obuasiOfficer, {
      givenName: 'Ama',
      familyName: 'Mensah',
      sex: 'female',
      birthYear: 1990,
      phone: newPhone(),
      areaId: t.fx.areas.obuasi.id,
    });
    expect(res.statusCode, res.body).toBe(201);
    const p = res.json();
    expect(p.reference).toMatch(/^GH-P-2026-\d{6}-[0-9A-Z*]$/);
    expect(isValidReference(p.reference)).toBe(true);
    expect(res.headers.location).toBe(`/api/v1/people/${p.id}`);
    expect(p).not.toHaveProperty('disability');

    const read = await get(obuasiOfficer, `/api/v1/people/${p.id}`);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(p);
    expect(read.headers.etag).toBe('"v1"');

    const noMatch = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/people/${p.id}`,
      headers: obuasiOfficer,
      payload: { otherNames: 'Akosua' },
    });
    expect(noMatch.statusCode).toBe(428);
    const changed = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/people/${p.id}`,
      headers: { ...obuasiOfficer, 'if-match': '"v1"' },
      payload: { otherNames: 'Akosua', birthDate: '1990-05-04' },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ otherNames: 'Akosua', birthDate: '1990-05-04', version: 2 });
    const mismatch = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/people/${p.id}`,
      headers: { ...obuasiOfficer, 'if-match': '"v2"' },
      payload: { birthYear: 1991 },
    });
    expect(mismatch.statusCode).toBe(400);
    expect(await auditCount('person.updated')).toBeGreaterThan(0);
  });

  it('gives consecutive serials, each with a valid check character', async () => {
    const refs: string[] = [];
    for (const name of ['Yaw', 'Kofi']) {
      const res = await post(admin, {
        givenName: name,
        familyName: 'Serial',
        sex: 'male',
        areaId: t.fx.areas.amansie.id,
      });
      expect(res.statusCode, res.body).toBe(201);
      refs.push(res.json().reference);
    }
    const serial = (r: string) => Number(r.split('-')[3]);
    expect(serial(refs[1]!)).toBe(serial(refs[0]!) + 1);
    for (const r of refs) expect(isValidReference(r)).toBe(true);
    // One wrong character is caught.
    const wrong = refs[0]!.replace(/-(\d)(\d{5})-/, (_m, d, rest) => `-${(Number(d) + 1) % 10}${rest}-`);
    expect(isValidReference(wrong)).toBe(false);
  });

  it('a client-supplied id sent twice registers once', async () => {
    const id = uuidv7();
    const body = { id, givenName: 'Offline', familyName: 'Entry', sex: 'male', areaId: t.fx.areas.obuasi.id };
    const first = await post(obuasiOfficer, body);
    expect(first.statusCode).toBe(201);
    const before = await countPeople();
    const again = await post(obuasiOfficer, body);
    expect(again.statusCode).toBe(200);
    expect(again.json().reference).toBe(first.json().reference);
    expect(await countPeople()).toBe(before);
  });

  it('refuses bad input with clear codes', async () => {
    const bad = await post(obuasiOfficer, {
      givenName: 'X',
      familyName: 'Y',
      sex: 'unknown',
      birthDate: '1990-01-01',
      birthYear: 1989,
      areaId: t.fx.areas.obuasi.id,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('request.validation_failed');
  });
});

describe('search', () => {
  it('finds Kwame Boateng from a misspelt name, best match first, and by reference or phone', async () => {
    const phone = newPhone();
    const created = await post(obuasiOfficer, {
      givenName: 'Kwame',
      familyName: 'Boateng',
      sex: 'male',
      birthYear: 1985,
      phone,
      areaId: t.fx.areas.obuasi.id,
    });
    expect(created.statusCode, created.body).toBe(201);
    const kwame = created.json();
    await post(obuasiOfficer, {
      givenName: 'Kwaku',
      familyName: 'Owusu',
      sex: 'male',
      areaId: t.fx.areas.obuasi.id,
    });

    const found = await get(obuasiOfficer, `/api/v1/people?q=${encodeURIComponent('Kwami Boatang')}`);
    expect(found.statusCode, found.body).toBe(200);
    expect(found.json().items[0].id).toBe(kwame.id);

    const byRef = await get(
      obuasiOfficer,
      `/api/v1/people?q=${encodeURIComponent(kwame.reference.toLowerCase())}`,
    );
    expect(byRef.json().items[0].id).toBe(kwame.id);
    const byPhone = await get(obuasiOfficer, `/api/v1/people?q=${encodeURIComponent(phone)}`);
    expect(byPhone.json().items.map((i: { id: string }) => i.id)).toEqual([kwame.id]);

    // Outside the caller's jurisdiction the same search finds nothing.
    const bibianiAdmin = await t.login('bibianiAdmin');
    const elsewhere = await get(bibianiAdmin, `/api/v1/people?q=${encodeURIComponent('Kwami Boatang')}`);
    expect(elsewhere.json().items).toEqual([]);
  });

  it('pages through every person exactly once, with filters', async () => {
    for (let i = 0; i < 5; i++)
      await post(admin, {
        givenName: `Page${i}`,
        familyName: 'Walker',
        sex: 'female',
        areaId: t.fx.areas.sefwi.id,
      });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(
        admin,
        `/api/v1/people?limit=2&sex=female&areaId=${t.fx.areas.sefwi.id}${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.statusCode, res.body).toBe(200);
      seen.push(...res.json().items.map((i: { id: string }) => i.id));
      cursor = res.json().nextCursor;
    } while (cursor);
    expect(seen.length).toBe(5);
    expect(new Set(seen).size).toBe(5);

    const byName: string[] = [];
    cursor = null;
    do {
      const res = await get(admin, `/api/v1/people?limit=2&q=Walker${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode, res.body).toBe(200);
      byName.push(...res.json().items.map((i: { id: string }) => i.id));
      cursor = res.json().nextCursor;
    } while (cursor);
    expect(new Set(byName).size).toBe(byName.length);
    expect(byName.length).toBeGreaterThanOrEqual(5);

    const forged = await get(admin, '/api/v1/people?cursor=bm9wZQ');
    expect(forged.statusCode).toBe(400);
  });

  it('pages through many people of one name, finds a renamed person, lists an exact match once', async () => {
    const phone = newPhone();
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await post(admin, {
        givenName: 'Abena',
        familyName: 'Nkansah',
        sex: 'female',
        areaId: t.fx.areas.sefwi.id,
        ...(i === 0 ? { phone } : {}),
      });
      expect(r.statusCode, r.body).toBe(201);
      ids.push(r.json().id);
    }
    // Names are scored once per distinct name (migration 0012); ties page newest first, across pages.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(
        admin,
        `/api/v1/people?limit=3&q=Abena%20Nkansa${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.statusCode, res.body).toBe(200);
      seen.push(...res.json().items.map((i: { id: string }) => i.id));
      cursor = res.json().nextCursor;
    } while (cursor);
    expect(seen.slice(0, 7)).toEqual([...ids].sort().reverse());
    expect(new Set(seen).size).toBe(seen.length);

    const renamed = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/people/${ids[1]}`,
      headers: { ...admin, 'if-match': '"v1"' },
      payload: { givenName: 'Maabena', familyName: 'Kusi-Obodum' },
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    const byNewName = await get(admin, `/api/v1/people?q=${encodeURIComponent('maabena kusi obodum')}`);
    expect(byNewName.json().items[0].id).toBe(ids[1]);

    // The phone finds exactly its person (score 2), however many share the name.
    const both = await get(admin, `/api/v1/people?q=${encodeURIComponent(phone)}`);
    expect(both.json().items.map((i: { id: string }) => i.id)).toEqual([ids[0]]);
  });
});

describe('likely duplicates', () => {
  it('by phone: 409 with the candidate, nothing written; the override registers', async () => {
    const phone = newPhone();
    const first = await post(obuasiOfficer, {
      givenName: 'Abena',
      familyName: 'Asante',
      sex: 'female',
      phone,
      areaId: t.fx.areas.obuasi.id,
    });
    expect(first.statusCode).toBe(201);
    const before = await countPeople();
    const auditBefore = await auditCount('person.created');
    const body = {
      givenName: 'Esi',
      familyName: 'Owusu',
      sex: 'female',
      phone,
      areaId: t.fx.areas.obuasi.id,
    };
    const dup = await post(obuasiOfficer, body);
    expect(dup.statusCode, dup.body).toBe(409);
    expect(dup.json().code).toBe('person.possible_duplicate');
    expect(dup.json().candidates).toEqual([
      expect.objectContaining({
        id: first.json().id,
        reference: first.json().reference,
        reasons: ['same_phone'],
      }),
    ]);
    expect(await countPeople()).toBe(before);
    expect(await auditCount('person.created')).toBe(auditBefore);

    const override = await post(obuasiOfficer, { ...body, checkDuplicates: false });
    expect(override.statusCode, override.body).toBe(201);
    expect(await countPeople()).toBe(before + 1);
  });

  it('by similar name, same birth year and same area', async () => {
    const first = await post(obuasiOfficer, {
      givenName: 'Kofi',
      familyName: 'Annan-Mensah',
      sex: 'male',
      birthDate: '1978-02-03',
      areaId: t.fx.areas.obuasi.id,
    });
    expect(first.statusCode).toBe(201);
    const before = await countPeople();
    const dup = await post(obuasiOfficer, {
      givenName: 'Kofi',
      familyName: 'Anan-Mensah',
      sex: 'male',
      birthYear: 1978,
      areaId: t.fx.areas.obuasi.id,
    });
    expect(dup.statusCode, dup.body).toBe(409);
    expect(dup.json().candidates[0]).toMatchObject({
      id: first.json().id,
      reasons: ['similar_name_same_birth_year_and_area'],
    });
    expect(await countPeople()).toBe(before);

    // Another year, or another area: not a duplicate.
    const otherYear = await post(obuasiOfficer, {
      givenName: 'Kofi',
      familyName: 'Anan-Mensah',
      sex: 'male',
      birthYear: 1979,
      areaId: t.fx.areas.obuasi.id,
    });
    expect(otherYear.statusCode, otherYear.body).toBe(201);
    const otherArea = await post(admin, {
      givenName: 'Kofi',
      familyName: 'Anan-Mensah',
      sex: 'male',
      birthYear: 1978,
      areaId: t.fx.areas.bibiani.id,
    });
    expect(otherArea.statusCode, otherArea.body).toBe(201);
  });

  it('a match outside the jurisdiction is counted, not shown', async () => {
    const phone = newPhone();
    expect(
      (
        await post(admin, {
          givenName: 'Far',
          familyName: 'Away',
          sex: 'male',
          phone,
          areaId: t.fx.areas.bibiani.id,
        })
      ).statusCode,
    ).toBe(201);
    const dup = await post(obuasiOfficer, {
      givenName: 'Near',
      familyName: 'Here',
      sex: 'male',
      phone,
      areaId: t.fx.areas.obuasi.id,
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().candidates).toEqual([]);
    expect(dup.json().otherMatches).toBe(1);
  });
});

describe('jurisdiction', () => {
  it('an Obuasi officer cannot read a Bibiani person (404) nor register one there (403)', async () => {
    const bibiani = await post(admin, {
      givenName: 'Bibi',
      familyName: 'Ani',
      sex: 'female',
      areaId: t.fx.areas.bibiani.id,
    });
    expect(bibiani.statusCode).toBe(201);
    const read = await get(obuasiOfficer, `/api/v1/people/${bibiani.json().id}`);
    expect(read.statusCode).toBe(404);
    expect(read.json().code).toBe('resource.not_found');
    const before = await countPeople();
    const create = await post(obuasiOfficer, {
      givenName: 'Not',
      familyName: 'Mine',
      sex: 'male',
      areaId: t.fx.areas.bibiani.id,
    });
    expect(create.statusCode).toBe(403);
    expect(create.json().code).toBe('access.outside_jurisdiction');
    expect(await countPeople()).toBe(before);
    const list = await get(obuasiOfficer, '/api/v1/people?limit=500');
    for (const item of list.json().items) expect(item.areaId).toBe(t.fx.areas.obuasi.id);
  });
});

describe('vulnerable-group attributes', () => {
  it('are recorded with a legal basis, read only with registry.sensitive.read, and every read is audited', async () => {
    const res = await post(obuasiOfficer, {
      givenName: 'Adjoa',
      familyName: 'Sensitive',
      sex: 'female',
      areaId: t.fx.areas.obuasi.id,
    });
    const id = res.json().id as string;
    const url = `/api/v1/people/${id}/sensitive`;

    const noBasis = await t.app.inject({
      method: 'PUT',
      url,
      headers: obuasiOfficer,
      payload: { disability: true, migrant: false, ethnicMinority: null },
    });
    expect(noBasis.statusCode).toBe(400);

    const put = await t.app.inject({
      method: 'PUT',
      url,
      headers: obuasiOfficer,
      payload: { disability: true, migrant: false, ethnicMinority: null, legalBasis: 'consent' },
    });
    expect(put.statusCode, put.body).toBe(200);
    const recorded = await t.database.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'person.sensitive_recorded')
      .where('entity_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(recorded.meta).toMatchObject({ legalBasis: 'consent' });
    expect(JSON.stringify([recorded.before, recorded.after, recorded.meta])).not.toMatch(
      /disability|migrant|ethnic/i,
    );

    const readsBefore = await auditCount('person.sensitive_read');
    const read = await get(obuasiOfficer, url);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({
      personId: id,
      disability: true,
      migrant: false,
      ethnicMinority: null,
      legalBasis: 'consent',
    });
    expect(read.headers['cache-control']).toBe('no-store');
    expect(await auditCount('person.sensitive_read')).toBe(readsBefore + 1);

    // A regional officer reads the registry but not these attributes.
    const regional = await get(ashantiOfficer, url);
    expect(regional.statusCode).toBe(403);
    expect(regional.json().code).toBe('access.forbidden');
    expect((await get(ashantiOfficer, `/api/v1/people/${id}`)).statusCode).toBe(200);

    // Never in the person record, the list, or the person's audit events.
    const person = await get(obuasiOfficer, `/api/v1/people/${id}`);
    expect(JSON.stringify(person.json())).not.toMatch(/disability|migrant|ethnic/i);
    const list = await get(obuasiOfficer, '/api/v1/people?q=Sensitive');
    expect(JSON.stringify(list.json())).not.toMatch(/disability|migrant|ethnic/i);
    const events = await t.database.db
      .selectFrom('audit_events')
      .selectAll()
      .where('entity_id', '=', id)
      .execute();
    for (const e of events)
      expect(JSON.stringify([e.before, e.after])).not.toMatch(/disability|migrant|ethnic/i);
  });
});

describe('round trip (property)', () => {
  const namePart = fc.stringMatching(/^[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ' -]{0,20}[A-Za-zÀ-ÖØ-öø-ÿ]$/);
  const areas = ['obuasi', 'amansie', 'bibiani', 'sefwi'] as const;
  const person = fc
    .record(
      {
        givenName: namePart,
        familyName: namePart,
        otherNames: namePart,
        sex: fc.constantFrom(...SEXES),
        birthDate: fc
          .date({
            min: new Date('1930-01-01T00:00:00Z'),
            max: new Date('2012-12-31T00:00:00Z'),
            noInvalidDate: true,
          })
          .map((d) => d.toISOString().slice(0, 10)),
        birthYear: fc.integer({ min: 1930, max: 2012 }),
        ageBand: fc.constantFrom(...AGE_BANDS),
        phone: fc.integer({ min: 0, max: 999_999_999 }).map((n) => `+2335${String(n).padStart(9, '0')}`),
        idDocument: fc.record({
          type: fc.constantFrom('ghana_card', 'voter_id', 'passport'),
          number: fc.stringMatching(/^[A-Z0-9][A-Z0-9-]{2,15}$/),
        }),
        area: fc.constantFrom(...areas),
      },
      { requiredKeys: ['givenName', 'familyName', 'sex', 'area'] },
    )
    // A year given beside a full date must be that date's year.
    .map((p) =>
      p.birthDate && p.birthYear !== undefined ? { ...p, birthYear: Number(p.birthDate.slice(0, 4)) } : p,
    );

  it('any valid person comes back from GET as it was sent', async () => {
    await fc.assert(
      fc.asyncProperty(person, async ({ area, ...p }) => {
        const sent = { ...p, areaId: t.fx.areas[area].id };
        const res = await post(admin, { ...sent, checkDuplicates: false });
        expect(res.statusCode, res.body).toBe(201);
        const back = await get(admin, `/api/v1/people/${res.json().id}`);
        expect(back.statusCode).toBe(200);
        expect(back.json()).toEqual({
          ...res.json(),
          givenName: p.givenName,
          familyName: p.familyName,
          otherNames: p.otherNames ?? null,
          sex: p.sex,
          birthDate: p.birthDate ?? null,
          birthYear: p.birthYear ?? null,
          ageBand: p.ageBand ?? null,
          phone: p.phone ?? null,
          idDocument: p.idDocument ?? null,
          areaId: sent.areaId,
        });
      }),
      { numRuns: 30 },
    );
  });
});
