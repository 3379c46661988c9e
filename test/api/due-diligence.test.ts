/**
 * Due-diligence reports (issue 6): for a lot made of three origins (one licensed and verified, one
 * whose licence was suspended after production, one without a licence), through sales, a merge, a
 * split and an export: the origins with exact shares, the chain oldest first, the flags and
 * incidents with a verdict, the buyer eligibility of the country's profile, a content hash shared by
 * the JSON and the PDF (printed in the country's language), the exporter's report over a period, who
 * may read them and the audit of every read.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upstreamMass } from '../../src/server/modules/custody/due-diligence-rules.ts';
import * as repo from '../../src/server/modules/custody/repo.ts';
import { Fraction, upstreamShares } from '../../src/server/modules/custody/trace.ts';
import { canonicalJson } from '../../src/shared/canonical-json.ts';
import { uuidv7 } from '../../src/shared/ids.ts';
import { parseProfile } from '../../src/shared/profile-schema.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { custodyActor, type Headers, post, produce, site } from '../support/custody-flow.ts';
import type { UserKey } from '../support/fixtures.ts';
import { ALL_MET, answers, installTestStandard } from '../support/improvement-flow.ts';
import { COMMUNITY_PERMIT, installTestProfile } from '../support/licence-profile.ts';
import { pdfTextLines } from '../support/pdf-text.ts';

let t: TestApp;
const h: Partial<Record<UserKey, Headers>> = {};

beforeAll(async () => {
  t = await createTestApp();
  await installTestProfile(t.database, [COMMUNITY_PERMIT], {
    custody: { buyerEligibility: { minimumImprovementLevel: 'one', appliesTo: ['exporter'] } },
  });
  await installTestStandard(t.database);
  t.clock.set(new Date('2026-03-10T08:00:00Z'));
  for (const u of ['admin', 'obuasiOfficer', 'bibianiAdmin', 'monitor', 'agent'] as const)
    h[u] = await t.login(u);
});
afterAll(async () => {
  await t?.close();
});

const get = (url: string, headers: Headers = h.admin!) => t.app.inject({ method: 'GET', url, headers });
async function ok(url: string, headers: Headers = h.admin!) {
  const res = await get(url, headers);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}
async function created(url: string, payload: object, headers: Headers = h.admin!) {
  const res = await post(t, headers, url, payload);
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
}
const at = (day: number, hour = 8) => `2026-03-0${day}T${String(hour).padStart(2, '0')}:00:00Z`;
const sum = (fractions: { numerator: string; denominator: string }[]) =>
  fractions.reduce((s, f) => s.add(new Fraction(BigInt(f.numerator), BigInt(f.denominator))), Fraction.ZERO);
const hashOf = (report: Record<string, unknown>) => {
  const { generatedAt: _a, contentHash: _b, ...content } = report;
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
};

/** A licence of a production unit straight into the tables (issuing one is licensing's own test). */
async function licence(holderId: string, status: 'active' | 'suspended' = 'active') {
  const app = uuidv7();
  const area = t.fx.areas.obuasi.id;
  await sql`
    INSERT INTO licence_applications (id, reference, tier_code, holder_kind, holder_id, area_id, status,
                                      requested_area_hectares, fee_assessed_minor, currency)
    VALUES (${app}, ${`DD-${app}`}, 'community_permit', 'production_unit', ${holderId}, ${area}, 'issued', 1, 0, 'GHS')`.execute(
    t.database.db,
  );
  const id = uuidv7();
  const number = `GH-AS-DD-${app.slice(-8)}`;
  await sql`
    INSERT INTO licences (id, number, application_id, tier_code, holder_kind, holder_id, area_id, status,
                          valid_from, valid_to)
    VALUES (${id}, ${number}, ${app}, 'community_permit', 'production_unit', ${holderId}, ${area}, ${status},
            DATE '2026-01-01', DATE '2027-01-01')`.execute(t.database.db);
  return { id, number };
}

const verify = (siteId: string, given = ALL_MET) =>
  created(
    '/api/v1/improvement/assessments',
    { subjectKind: 'production_unit', subjectId: siteId, kind: 'verification', answers: given },
    h.obuasiOfficer!,
  );

/** The chain of the tests, built once. */
const c = {} as {
  siteA: string;
  siteB: string;
  siteC: string;
  licenceA: { id: string; number: string };
  licenceB: { id: string; number: string };
  miner: string;
  trader: string;
  exporter: string;
  a: { id: string; tag: string };
  b: { id: string; tag: string };
  cc: { id: string; tag: string };
  merged: string;
  parts: [string, string];
  exported: { id: string; tag: string };
};

beforeAll(async () => {
  const admin = h.admin!;
  c.siteA = await site(t, admin, 'obuasi');
  c.siteB = await site(t, admin, 'obuasi');
  c.siteC = await site(t, admin, 'obuasi');
  c.licenceA = await licence(c.siteA);
  c.licenceB = await licence(c.siteB);
  await verify(c.siteA);
  c.miner = await custodyActor(t, admin, 'obuasi', 'miner');
  c.trader = await custodyActor(t, admin, 'obuasi', 'trader');
  c.exporter = await custodyActor(t, admin, 'obuasi', 'exporter');
  // Unequal masses, so that the shares are not round: 3001 + 2000 + 999 = 6000 mg.
  c.a = await produce(t, admin, c.miner, c.siteA, 3_001, { occurredAt: at(2, 8) });
  c.b = await produce(t, admin, c.miner, c.siteB, 2_000, { occurredAt: at(2, 9) });
  c.cc = await produce(t, admin, c.miner, c.siteC, 999, { occurredAt: at(2, 10) });
  // Licensed when it was produced; suspended since.
  await sql`UPDATE licences SET status = 'suspended' WHERE id = ${c.licenceB.id}`.execute(t.database.db);

  const sale = await created('/api/v1/custody/transfers', {
    lotIds: [c.a.id, c.b.id],
    sellerActorId: c.miner,
    buyerActorId: c.trader,
    recordedSide: 'seller',
    occurredAt: at(3, 8),
    documents: [{ kind: 'receipt', reference: 'R-001' }],
  });
  await created(`/api/v1/custody/transfers/${sale.id}/confirm`, {}, h.obuasiOfficer!);
  await created('/api/v1/custody/transfers', {
    lotIds: [c.cc.id],
    sellerActorId: c.miner,
    buyerActorId: c.trader,
    recordedSide: 'seller',
    occurredAt: at(3, 9),
  });
  const merge = await created('/api/v1/custody/merges', {
    lotIds: [c.a.id, c.b.id, c.cc.id],
    occurredAt: at(4),
  });
  c.merged = merge.lots.find((l: { role: string }) => l.role === 'output').lotId;
  const split = await created('/api/v1/custody/splits', {
    lotId: c.merged,
    outputs: [{ massMg: 2_500 }, { massMg: 3_500 }],
    occurredAt: at(5),
  });
  // The 2500 mg part first (an event lists its lots by id).
  const outputs = split.lots.filter((l: { role: string }) => l.role === 'output');
  c.parts = [2_500, 3_500].map((mg) => outputs.find((l: { massMg: number }) => l.massMg === mg).lotId) as [
    string,
    string,
  ];
  const part = await ok(`/api/v1/lots/${c.parts[0]}`);
  await created('/api/v1/custody/transfers', {
    lotIds: [part.id],
    sellerActorId: c.trader,
    buyerActorId: c.exporter,
    recordedSide: 'seller',
    occurredAt: at(6),
  });
  await created('/api/v1/custody/exports', {
    lotIds: [part.id],
    exportPermit: 'EXP-2026-001',
    destinationCountry: 'AE',
    occurredAt: at(7),
  });
  c.exported = { id: part.id, tag: part.tag };
});

const report = (lotId: string, query = '') => ok(`/api/v1/lots/${lotId}/due-diligence${query}`);

describe('the report of a lot', () => {
  it('lists every origin with its exact share, licence and improvement level', async () => {
    const r = await report(c.exported.id);
    expect(r).toMatchObject({ kind: 'lot', country: 'GH', lot: { tag: c.exported.tag, status: 'exported' } });
    expect(r.origins.map((o: { tag: string }) => o.tag)).toEqual([c.a.tag, c.b.tag, c.cc.tag]);
    expect(sum(r.origins.map((o: { share: object }) => o.share)).equals(Fraction.ONE)).toBe(true);
    expect(r.origins[0].share).toMatchObject({ numerator: '3001', denominator: '6000' });
    expect(r.origins[2].share).toMatchObject({ numerator: '333', denominator: '2000' });
    // 2500 mg × 3001/6000 = 1250.4 mg.
    expect(r.origins[0].massMg).toBe(1250);

    const [a, b, cc] = r.origins;
    expect(a).toMatchObject({
      producedOn: '2026-03-02',
      site: { id: c.siteA, areaId: t.fx.areas.obuasi.id },
      licence: { number: c.licenceA.number, status: 'active', holderKind: 'production_unit' },
      licensed: true,
      improvement: {
        subjectKind: 'production_unit',
        subjectId: c.siteA,
        level: 3,
        levelCode: 'three',
        meetsMinimum: true,
      },
    });
    expect(b).toMatchObject({
      licence: { number: c.licenceB.number, status: 'suspended' },
      licensed: false,
      improvement: { level: null, meetsMinimum: false },
    });
    expect(cc).toMatchObject({ site: { id: c.siteC }, licence: null, licensed: false });
    expect(r.summary).toMatchObject({ origins: 3, sites: 3 });
    expect(r.summary.licensedShare).toMatchObject({ numerator: '3001', denominator: '6000' });
  });

  it('gives the chain oldest first, with who, what, confirmations and documents', async () => {
    const r = await report(c.exported.id);
    const kinds = r.chain.map((e: { kind: string }) => e.kind);
    expect(kinds).toEqual([
      'production',
      'production',
      'production',
      'transfer',
      'transfer',
      'merge',
      'split',
      'transfer',
      'export',
    ]);
    const times = r.chain.map((e: { occurredAt: string }) => e.occurredAt);
    expect([...times].sort()).toEqual(times);
    const [confirmed, unconfirmed] = r.chain.filter((e: { kind: string }) => e.kind === 'transfer');
    expect(confirmed).toMatchObject({
      confirmed: true,
      counterpartId: c.trader,
      documents: [{ kind: 'receipt', reference: 'R-001' }],
    });
    expect(confirmed.lots.map((l: { tag: string }) => l.tag).sort()).toEqual([c.a.tag, c.b.tag].sort());
    expect(unconfirmed.confirmed).toBe(false);
    // The split lists the part of the chain, not its sister part.
    const split = r.chain.find((e: { kind: string }) => e.kind === 'split');
    expect(split.lots.map((l: { lotId: string }) => l.lotId).sort()).toEqual(
      [c.merged, c.exported.id].sort(),
    );
    expect(r.chain.at(-1)).toMatchObject({
      kind: 'export',
      exportPermit: 'EXP-2026-001',
      destinationCountry: 'AE',
      massMg: 2_500,
    });
    expect(r.chainMore).toBe(0);
  });

  it('lists the flags of the chain with their reason and evidence, and the verdict', async () => {
    const r = await report(c.exported.id);
    const unlicensed = r.flags.find((f: { code: string }) => f.code === 'origin_unlicensed');
    expect(unlicensed).toMatchObject({
      status: 'open',
      lotId: c.cc.id,
      lotTag: c.cc.tag,
      siteId: c.siteC,
      params: { day: '2026-03-02' },
      evidence: { licences: [] },
    });
    expect(r.summary.openFlags).toBeGreaterThanOrEqual(1);
    expect(r.summary.verdict).toBe('mitigation_in_progress');
  });

  it('says there is no open red flag when there is none, and the buyer is then eligible', async () => {
    // Another miner: flags name the actors they were raised on, and c.miner's unlicensed lot is flagged.
    const miner = await custodyActor(t, h.admin!, 'obuasi', 'miner');
    const lot = await produce(t, h.admin!, miner, c.siteA, 500, { occurredAt: at(8) });
    const r = await report(lot.id);
    expect(r.flags).toEqual([]);
    expect(r.incidents).toEqual([]);
    expect(r.summary).toMatchObject({ verdict: 'no_open_red_flags', openFlags: 0, origins: 1 });
    expect(r.eligibility).toEqual({
      buyerKind: 'exporter',
      minimumLevel: { code: 'one', level: 1 },
      eligible: true,
      reasons: [],
      reasonsMore: 0,
    });
  });

  it('answers 404 for an unknown lot, 404 outside the jurisdiction and 403 without custody.read', async () => {
    expect((await get(`/api/v1/lots/${uuidv7()}/due-diligence`)).statusCode).toBe(404);
    const outside = await get(`/api/v1/lots/${c.exported.id}/due-diligence`, h.bibianiAdmin!);
    expect(outside.statusCode).toBe(404);
    expect((await get(`/api/v1/lots/${c.exported.id}/due-diligence.pdf`, h.bibianiAdmin!)).statusCode).toBe(
      404,
    );
    expect((await get(`/api/v1/lots/${c.exported.id}/eligibility`, h.bibianiAdmin!)).statusCode).toBe(404);
    const noRight = await get(`/api/v1/lots/${c.exported.id}/due-diligence`, h.monitor!);
    expect(noRight.statusCode).toBe(403);
    expect((await get(`/api/v1/lots/${uuidv7()}/due-diligence`, h.monitor!)).statusCode).toBe(403);
    // A buying-station agent of the district reads it.
    expect((await get(`/api/v1/lots/${c.exported.id}/due-diligence`, h.agent!)).statusCode).toBe(200);
  });
});

describe('the content hash', () => {
  it('is the sha-256 of the canonical JSON without the stamp, stable while nothing changes', async () => {
    const first = await report(c.exported.id);
    expect(first.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashOf(first)).toBe(first.contentHash);
    t.clock.advance(60_000);
    const again = await report(c.exported.id);
    expect(again.generatedAt).not.toBe(first.generatedAt);
    expect(again.contentHash).toBe(first.contentHash);
  });

  it('changes when the content changes', async () => {
    const before = await report(c.exported.id);
    const flag = before.flags.find((f: { code: string }) => f.code === 'origin_unlicensed');
    await created(`/api/v1/custody/flags/${flag.id}/resolve`, {
      reason: 'Licence application seen at the office',
    });
    const after = await report(c.exported.id);
    expect(after.flags.find((f: { id: string }) => f.id === flag.id)).toMatchObject({
      status: 'resolved',
      resolution: 'Licence application seen at the office',
    });
    expect(after.contentHash).not.toBe(before.contentHash);
    expect(hashOf(after)).toBe(after.contentHash);
  });

  it('every read is audited with the hash of what was read', async () => {
    const r = await report(c.exported.id);
    const pdf = await get(`/api/v1/lots/${c.exported.id}/due-diligence.pdf`);
    expect(pdf.statusCode).toBe(200);
    const { rows } = await sql<{ meta: { format: string; contentHash: string }; area_id: string }>`
      SELECT meta, area_id FROM audit_events
       WHERE action = 'custody.due_diligence_read' AND entity_id = ${c.exported.id}
       ORDER BY seq DESC LIMIT 2`.execute(t.database.db);
    expect(rows.map((x) => x.meta.format)).toEqual(['pdf', 'json']);
    expect(rows.map((x) => x.meta.contentHash)).toEqual([r.contentHash, r.contentHash]);
    expect(rows[0]!.area_id).toBe(t.fx.areas.obuasi.id);
  });
});

describe('buyer eligibility', () => {
  it('names the origins that are unlicensed, suspended or below the level', async () => {
    const e = await ok(`/api/v1/lots/${c.exported.id}/eligibility?buyerKind=exporter`);
    expect(e.eligible).toBe(false);
    expect(e.minimumLevel).toEqual({ code: 'one', level: 1 });
    const reasons = e.reasons.map((r: { code: string; lotTag: string }) => `${r.code} ${r.lotTag}`);
    expect(reasons).toEqual([
      `origin_level_unverified ${c.b.tag}`,
      `origin_level_unverified ${c.cc.tag}`,
      `origin_unlicensed ${c.cc.tag}`,
      `origin_licence_suspended ${c.b.tag}`,
    ]);
    // The report carries the same answer.
    expect((await report(c.exported.id)).eligibility).toEqual(e);
  });

  it('asks no level of a kind of buyer the profile does not name, but still a licence', async () => {
    const e = await ok(`/api/v1/lots/${c.exported.id}/eligibility?buyerKind=trader`);
    expect(e.minimumLevel).toBeNull();
    expect(e.reasons.map((r: { code: string }) => r.code)).toEqual([
      'origin_unlicensed',
      'origin_licence_suspended',
    ]);
    const bad = await get(`/api/v1/lots/${c.exported.id}/eligibility?buyerKind=bank`);
    expect(bad.statusCode).toBe(400);
  });

  it('tells a level below the minimum from one never verified', async () => {
    const low = await site(t, h.admin!, 'obuasi');
    await licence(low);
    await verify(low, answers({ first_aid: 'not_met', no_children: 'met' }));
    const lot = await produce(t, h.admin!, c.miner, low, 700, { occurredAt: at(8) });
    const e = await ok(`/api/v1/lots/${lot.id}/eligibility`);
    expect(e).toMatchObject({
      eligible: false,
      reasons: [{ code: 'origin_below_level', level: 0, lotTag: lot.tag, siteId: low }],
    });
    const r = await report(lot.id);
    expect(r.origins[0].improvement).toMatchObject({ level: 0, levelCode: null, meetsMinimum: false });
  });
});

describe('incidents in the report', () => {
  it('shows a class 2 incident with its plan, then a class 1 incident calls for disengagement', async () => {
    const bribery = await created('/api/v1/custody/incidents', {
      category: 'bribery',
      actorId: c.trader,
      description: 'Cash asked at the weighing.',
      observedAt: at(8),
    });
    await created(`/api/v1/custody/incidents/${bribery.id}/plan`, {
      actions: [
        { action: 'Weigh in public', owner: 'Trader', deadline: '2026-04-01', done: true },
        { action: 'Train the staff', owner: 'District office', deadline: '2026-05-01' },
      ],
    });
    let r = await report(c.exported.id);
    expect(r.incidents).toEqual([
      expect.objectContaining({
        id: bribery.id,
        category: 'bribery',
        annexClass: 'class_2',
        status: 'mitigating',
        actorId: c.trader,
        plan: { actions: 2, done: 1, nextDeadline: '2026-05-01' },
      }),
    ]);
    expect(r.summary).toMatchObject({
      openIncidents: 1,
      disengagementIncidents: 0,
      verdict: 'mitigation_in_progress',
    });

    const abuse = await created('/api/v1/custody/incidents', {
      category: 'serious_abuse',
      siteId: c.siteC,
      description: 'Children seen working in the pit.',
      observedAt: at(9),
    });
    r = await report(c.exported.id);
    expect(r.incidents.map((i: { id: string }) => i.id)).toEqual([abuse.id, bribery.id]);
    expect(r.summary).toMatchObject({ openIncidents: 2, disengagementIncidents: 1, verdict: 'disengage' });
    expect(r.flags.map((f: { code: string }) => f.code)).toContain('class_1_incident');
    expect(r.eligibility.reasons).toContainEqual(
      expect.objectContaining({ code: 'disengagement_incident', incidentId: abuse.id, siteId: c.siteC }),
    );
    // A lot that does not come from that site is not concerned.
    const clean = await produce(t, h.admin!, c.miner, c.siteA, 400, { occurredAt: at(9) });
    expect((await report(clean.id)).summary.verdict).not.toBe('disengage');
  });
});

describe('the PDF', () => {
  const pdfOf = async (url: string) => {
    const res = await get(url);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/pdf/);
    expect(res.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    await PDFDocument.load(res.rawPayload);
    return (await pdfTextLines(res.rawPayload)).join('\n');
  };
  const setLanguages = (languages: string[]) =>
    t.database.asOwner((db) =>
      db.query(
        `UPDATE country_profiles SET document = jsonb_set(document, '{languages}', $1::jsonb) WHERE country = 'GH'`,
        [JSON.stringify(languages)],
      ),
    );

  it('prints the lot tag and the content hash of the JSON', async () => {
    const r = await report(c.exported.id);
    const text = await pdfOf(`/api/v1/lots/${c.exported.id}/due-diligence.pdf`);
    expect(text).toContain('DUE-DILIGENCE REPORT: MINERAL LOT');
    expect(text).toContain(`Lot ${c.exported.tag}`);
    expect(text).toContain(r.contentHash);
    for (const tag of [c.a.tag, c.b.tag, c.cc.tag]) expect(text).toContain(tag);
    expect(text).toContain('EXP-2026-001');
  });

  it('is printed in French for a French-speaking country, or in the language asked for', async () => {
    await setLanguages(['fr']);
    try {
      const text = await pdfOf(`/api/v1/lots/${c.exported.id}/due-diligence.pdf`);
      expect(text).toContain('RAPPORT DE DILIGENCE RAISONNABLE : LOT DE MINERAI');
      expect(text).toContain(`Lot ${c.exported.tag}`);
      expect(text).toContain('Empreinte du contenu (SHA-256) :');
      expect(text).toContain('Chaîne de traçabilité (du plus ancien au plus récent)');
      expect(text).not.toContain('DUE-DILIGENCE REPORT');
      const english = await pdfOf(`/api/v1/lots/${c.exported.id}/due-diligence.pdf?language=en`);
      expect(english).toContain('DUE-DILIGENCE REPORT: MINERAL LOT');
    } finally {
      await setLanguages(['en']);
    }
  });
});

describe('the report of an exporter', () => {
  it('gathers the exported lots of the period by origin site, with the same exact masses', async () => {
    const r = await ok(`/api/v1/custody/actors/${c.exporter}/due-diligence?from=2026-03-01&to=2026-03-31`);
    expect(r).toMatchObject({
      kind: 'exporter',
      exporter: { id: c.exporter },
      period: { from: '2026-03-01', to: '2026-03-31' },
      summary: { exportedLots: 1, exportedMassMg: 2_500, origins: 3, sites: 3 },
      lotsMore: 0,
      sitesMore: 0,
    });
    expect(hashOf(r)).toBe(r.contentHash);
    expect(sum(r.sites.map((s: { share: object }) => s.share)).equals(Fraction.ONE)).toBe(true);
    const lot = await report(c.exported.id);
    const bySite = new Map(r.sites.map((s: { siteId: string; massMg: number }) => [s.siteId, s.massMg]));
    for (const o of lot.origins) expect(bySite.get(o.site.id)).toBe(o.massMg);
    expect(r.sites.find((s: { siteId: string }) => s.siteId === c.siteA)).toMatchObject({
      licensed: true,
      licenceNumbers: [c.licenceA.number],
      improvement: [expect.objectContaining({ level: 3, meetsMinimum: true })],
    });
    expect(r.lots).toEqual([
      expect.objectContaining({
        lotId: c.exported.id,
        tag: c.exported.tag,
        massMg: 2_500,
        exportPermit: 'EXP-2026-001',
        originSites: 3,
        eligible: false,
        verdict: lot.summary.verdict,
      }),
    ]);
    expect(r.summary.licensedShare).toEqual(lot.summary.licensedShare);
    expect(r.eligibility.eligible).toBe(false);
    expect(r.summary.verdict).toBe(lot.summary.verdict);
  });

  it('covers the last 90 days by default, and nothing outside the period', async () => {
    const r = await ok(`/api/v1/custody/actors/${c.exporter}/due-diligence`);
    expect(r.period.to).toBe('2026-03-10');
    expect(r.period.from).toBe('2025-12-11');
    expect(r.summary.exportedLots).toBe(1);
    const before = await ok(
      `/api/v1/custody/actors/${c.exporter}/due-diligence?from=2026-02-01&to=2026-02-28`,
    );
    expect(before.summary).toMatchObject({
      exportedLots: 0,
      exportedMassMg: 0,
      origins: 0,
      verdict: 'no_open_red_flags',
    });
    expect(before.sites).toEqual([]);
  });

  it('refuses another kind of actor, a reversed or too long period, and readers elsewhere', async () => {
    const trader = await get(`/api/v1/custody/actors/${c.trader}/due-diligence`);
    expect(trader.statusCode).toBe(422);
    expect(trader.json().code).toBe('custody.wrong_actor_kind');
    const reversed = await get(
      `/api/v1/custody/actors/${c.exporter}/due-diligence?from=2026-03-31&to=2026-03-01`,
    );
    expect(reversed.statusCode).toBe(400);
    const long = await get(
      `/api/v1/custody/actors/${c.exporter}/due-diligence?from=2024-01-01&to=2026-03-01`,
    );
    expect(long.statusCode).toBe(400);
    expect(
      (await get(`/api/v1/custody/actors/${c.exporter}/due-diligence`, h.bibianiAdmin!)).statusCode,
    ).toBe(404);
    expect((await get(`/api/v1/custody/actors/${c.exporter}/due-diligence`, h.monitor!)).statusCode).toBe(
      403,
    );
    expect((await get(`/api/v1/custody/actors/${uuidv7()}/due-diligence`)).statusCode).toBe(404);
  });

  it('prints the exporter, the period and the hash', async () => {
    const r = await ok(`/api/v1/custody/actors/${c.exporter}/due-diligence?from=2026-03-01&to=2026-03-31`);
    const res = await get(
      `/api/v1/custody/actors/${c.exporter}/due-diligence.pdf?from=2026-03-01&to=2026-03-31`,
    );
    expect(res.statusCode).toBe(200);
    const text = (await pdfTextLines(res.rawPayload)).join('\n');
    expect(text).toContain('DUE-DILIGENCE REPORT: EXPORTER');
    expect(text).toContain(r.contentHash);
    expect(text).toContain(c.exported.tag);
  });
});

describe('the walk from many lots', () => {
  it('gives, from one lot weighted 1, exactly the shares of the upstream trace', async () => {
    const lots = await repo.upstreamLots(t.database.db, c.exported.id);
    const ids = new Set(lots.flatMap((l) => [l.created_by_event, l.consumed_by_event ?? l.created_by_event]));
    const events = new Map((await repo.graphEvents(t.database.db, [...ids])).map((e) => [e.id, e]));
    const shares = upstreamShares(c.exported.id, lots, events);
    const walked = upstreamMass(new Map([[c.exported.id, Fraction.ONE]]), lots, events);
    expect([...walked.keys()].sort()).toEqual([...shares.keys()].sort());
    for (const [id, share] of shares) expect(walked.get(id)!.equals(share)).toBe(true);
  });

  it('adds up what two lots made from one another’s sources took from each origin', async () => {
    // The two parts of the split together hold everything the three origins gave: 6000 mg.
    const lots = await repo.upstreamLots(t.database.db, c.parts[1]);
    const all = [
      ...new Map(
        [...lots, ...(await repo.upstreamLots(t.database.db, c.parts[0]))].map((l) => [l.id, l]),
      ).values(),
    ];
    const ids = new Set(all.flatMap((l) => [l.created_by_event, l.consumed_by_event ?? l.created_by_event]));
    const events = new Map((await repo.graphEvents(t.database.db, [...ids])).map((e) => [e.id, e]));
    const mass = upstreamMass(
      new Map([
        [c.parts[0], new Fraction(2_500n)],
        [c.parts[1], new Fraction(3_500n)],
      ]),
      all,
      events,
    );
    expect(mass.get(c.a.id)!.equals(new Fraction(3_001n))).toBe(true);
    expect(mass.get(c.b.id)!.equals(new Fraction(2_000n))).toBe(true);
    expect(mass.get(c.cc.id)!.equals(new Fraction(999n))).toBe(true);
  });
});

describe('buyer eligibility in the country profiles', () => {
  const profile = (country: string) =>
    JSON.parse(readFileSync(new URL(`../../profiles/${country}/profile.json`, import.meta.url), 'utf8'));

  it('names a level of the shipped improvement standard in Ghana and the DRC', () => {
    for (const country of ['ghana', 'drc']) {
      const p = parseProfile(profile(country));
      const levels = p.improvementStandard!.levels.map((l) => l.code);
      expect(levels).toContain(p.custody!.buyerEligibility!.minimumImprovementLevel);
      expect(p.custody!.buyerEligibility!.appliesTo).toContain('exporter');
    }
  });

  it('refuses a level the standard does not have, or a kind of buyer twice', () => {
    const p = profile('ghana');
    p.custody.buyerEligibility = {
      minimumImprovementLevel: 'gold_star',
      appliesTo: ['exporter', 'exporter'],
    };
    expect(() => parseProfile(p)).toThrow(/gold_star" is not a level of the improvement standard/);
    expect(() => parseProfile(p)).toThrow(/duplicate buyer kind "exporter"/);
    delete p.improvementStandard;
    p.custody.buyerEligibility = { minimumImprovementLevel: 'committed', appliesTo: ['exporter'] };
    expect(() => parseProfile(p)).toThrow(/needs an improvementStandard/);
  });
});
