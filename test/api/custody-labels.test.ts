/**
 * Lot labels and actor suspension (issue 6): the label PDF read back (tag with its check character,
 * mass in the locale's format, fineness, holder, origin) and its QR code decoded as a phone would;
 * A4 sheets; who may print; and suspending and reinstating an actor, which stops and restarts its
 * trade, with the reason audited and a conflict when it is in that state already.
 */
import { sql } from 'kysely';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/shared/ids.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { qrTextOfCardPdf } from '../support/card-qr.ts';
import { custodyActor, type Headers, lotsIn, post, produce, site } from '../support/custody-flow.ts';
import type { UserKey } from '../support/fixtures.ts';
import { COMMUNITY_PERMIT, installTestProfile } from '../support/licence-profile.ts';
import { pdfTextLines } from '../support/pdf-text.ts';

let t: TestApp;
const h: Partial<Record<UserKey, Headers>> = {};
const HOST = 'labels.openasm.test';

beforeAll(async () => {
  t = await createTestApp();
  for (const u of ['admin', 'obuasiOfficer', 'agent', 'bibianiAdmin', 'monitor', 'supervisor'] as const)
    h[u] = await t.login(u);
});
afterAll(async () => {
  await t?.close();
});

const get = (url: string, headers: Headers = h.admin!) =>
  t.app.inject({ method: 'GET', url, headers: { ...headers, host: HOST } });

async function pdfOf(url: string, headers?: Headers) {
  const res = await get(url, headers);
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toBe('application/pdf');
  return res.rawPayload;
}

describe('lot labels', () => {
  let miner: string;
  let pit: string;
  let lot: { id: string; tag: string };

  beforeAll(async () => {
    miner = await custodyActor(t, h.admin!, 'obuasi', 'miner');
    pit = await site(t, h.admin!, 'obuasi');
    lot = await produce(t, h.obuasiOfficer!, miner, pit, 12_345_678, { finenessPtt: 8750 });
  });

  it('prints the tag, mass, fineness, holder and site, and a QR code that opens the lot page', async () => {
    const pdf = await pdfOf(`/api/v1/lots/${lot.id}/label.pdf`);
    const doc = await PDFDocument.load(pdf);
    expect(doc.getPageCount()).toBe(1);
    // 100 × 60 mm in points.
    const { width, height } = doc.getPage(0).getSize();
    expect(width).toBeCloseTo((100 * 72) / 25.4, 1);
    expect(height).toBeCloseTo((60 * 72) / 25.4, 1);

    const lines = await pdfTextLines(pdf);
    expect(lines).toContain(lot.tag);
    expect(lot.tag).toMatch(/^GH-LOT-[0-9A-Z]{6}-[0-9A-Z]$/);
    expect(lines).toContain('Gold, ore');
    expect(lines).toContain('Mass: 12,345.678 g');
    expect(lines.some((l) => l.startsWith('Fineness: 875.0'))).toBe(true);
    const holder = (await get(`/api/v1/custody/actors/${miner}`)).json().name as string;
    expect(lines).toContain(`Holder: ${holder}`);
    const pitName = (await get(`/api/v1/production-units/${pit}`)).json().name as string;
    expect(lines).toContain(`Origin: ${pitName}`);
    expect(lines).toContain('Date: Mar 2, 2026');

    expect(await qrTextOfCardPdf(pdf)).toBe(`http://${HOST}/custody/lots/${lot.id}`);
  });

  it('names the one site of a split part, counts the sites of a merged lot, and says when fineness is unknown', async () => {
    const other = await site(t, h.admin!, 'obuasi');
    const a = await produce(t, h.admin!, miner, pit, 3_000, { finenessPtt: 9000 });
    const b = await produce(t, h.admin!, miner, other, 2_000);
    const merged = await post(t, h.admin!, '/api/v1/custody/merges', { lotIds: [a.id, b.id] });
    expect(merged.statusCode, merged.body).toBe(201);
    const mergedLot = lotsIn(merged.json(), 'output')[0]!;
    const lines = await pdfTextLines(await pdfOf(`/api/v1/lots/${mergedLot.lotId}/label.pdf`));
    expect(lines).toContain('Origin: 2 sites');
    // One input without an assay: the merged lot's fineness is unknown, and the label says so.
    expect(lines).toContain('Fineness: not assayed');
    expect(lines).toContain('Mass: 5 g');

    const c = await produce(t, h.admin!, miner, other, 4_500);
    const split = await post(t, h.admin!, '/api/v1/custody/splits', {
      lotId: c.id,
      outputs: [{ massMg: 1_500 }, { massMg: 3_000 }],
    });
    expect(split.statusCode, split.body).toBe(201);
    const part = lotsIn(split.json(), 'output')[0]!;
    const otherName = (await get(`/api/v1/production-units/${other}`)).json().name as string;
    const partLines = await pdfTextLines(await pdfOf(`/api/v1/lots/${part.lotId}/label.pdf`));
    expect(partLines).toContain(`Origin: ${otherName}`);
    expect(partLines).toContain(part.tag);
  });

  it('prints up to 24 labels on A4 sheets, eight to a page, in the order asked', async () => {
    const lots = [lot];
    for (let i = 0; i < 8; i++) lots.push(await produce(t, h.admin!, miner, pit, 1_000 + i));
    const pdf = await pdfOf(`/api/v1/lots/labels.pdf?ids=${lots.map((l) => l.id).join(',')}`);
    const doc = await PDFDocument.load(pdf);
    expect(doc.getPageCount()).toBe(2);
    expect(doc.getPage(0).getSize().width).toBeCloseTo(595.28, 1);
    const lines = await pdfTextLines(pdf);
    const tags = lines.filter((l) => /^GH-LOT-/.test(l));
    expect(tags).toEqual(lots.map((l) => l.tag));
    expect(lines).toContain('Mass: 1.007 g');

    const tooMany = Array.from({ length: 25 }, () => uuidv7());
    const res = await get(`/api/v1/lots/labels.pdf?ids=${tooMany.join(',')}`);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().errors[0]).toMatchObject({ path: 'query.ids', code: 'too_many' });
    const bad = await get('/api/v1/lots/labels.pdf?ids=not-a-lot');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0]).toMatchObject({ path: 'query.ids', code: 'invalid' });
  });

  it('is read under the lot holder: 404 outside the area, 403 without custody.read', async () => {
    const outside = await get(`/api/v1/lots/${lot.id}/label.pdf`, h.bibianiAdmin);
    expect(outside.statusCode, outside.body).toBe(404);
    expect(outside.json().code).toBe('resource.not_found');
    // One lot out of reach refuses the whole sheet, as reading that lot would.
    const bibianiMiner = await custodyActor(t, h.admin!, 'bibiani', 'miner');
    const bibianiLot = await produce(t, h.admin!, bibianiMiner, await site(t, h.admin!, 'bibiani'), 700);
    expect(
      (await pdfOf(`/api/v1/lots/labels.pdf?ids=${bibianiLot.id}`, h.bibianiAdmin)).length,
    ).toBeGreaterThan(0);
    const mixed = await get(`/api/v1/lots/labels.pdf?ids=${bibianiLot.id},${lot.id}`, h.bibianiAdmin);
    expect(mixed.statusCode, mixed.body).toBe(404);
    const unknown = await get(`/api/v1/lots/${uuidv7()}/label.pdf`);
    expect(unknown.statusCode).toBe(404);
    const monitor = await get(`/api/v1/lots/${lot.id}/label.pdf`, h.monitor);
    expect(monitor.statusCode).toBe(403);
    expect(monitor.json().code).toBe('access.forbidden');
    // The district officer of the holder's district prints it.
    expect((await pdfOf(`/api/v1/lots/${lot.id}/label.pdf`, h.obuasiOfficer)).length).toBeGreaterThan(0);
  });

  it("prints in the country's first language, with its number format", async () => {
    await installTestProfile(t.database, [COMMUNITY_PERMIT], { languages: ['fr', 'en'] });
    const lines = await pdfTextLines(await pdfOf(`/api/v1/lots/${lot.id}/label.pdf`));
    expect(lines).toContain('LOT DE MINERAI');
    expect(lines).toContain('Or, minerai');
    // French groups thousands with a narrow space and writes a decimal comma.
    expect(lines).toContain('Masse : 12 345,678 g');
    expect(lines.some((l) => l.startsWith('Titre : 875,0'))).toBe(true);
    expect(lines).toContain('Scanner pour ouvrir le lot');
  });
});

describe('suspending and reinstating an actor', () => {
  const change = (
    id: string,
    action: 'suspend' | 'reinstate',
    headers: Headers,
    reason = 'Checked on site',
  ) => post(t, headers, `/api/v1/custody/actors/${id}/${action}`, { reason });
  const auditOf = async (id: string) =>
    (
      await sql<{ action: string; actor_id: string | null; meta: { reason: string } }>`
        SELECT action, actor_id, meta FROM audit_events WHERE entity_id = ${id} ORDER BY seq`.execute(
        t.database.db,
      )
    ).rows;

  it('stops the actor trading until it is reinstated, with each reason in the audit trail', async () => {
    const station = await custodyActor(t, h.admin!, 'obuasi', 'buying_station');
    const miner = await custodyActor(t, h.admin!, 'obuasi', 'miner');
    const pit = await site(t, h.admin!, 'obuasi');
    const lot = await produce(t, h.admin!, miner, pit, 2_000);

    const res = await change(station, 'suspend', h.obuasiOfficer!, 'Bought from an unlicensed site');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: station, status: 'suspended', version: 2 });

    const again = await change(station, 'suspend', h.obuasiOfficer!);
    expect(again.statusCode, again.body).toBe(409);
    expect(again.json().code).toBe('custody.already_suspended');

    // The recorder refuses the suspended actor's trade, on either side.
    const buy = await post(t, h.admin!, '/api/v1/custody/transfers', {
      lotIds: [lot.id],
      sellerActorId: miner,
      buyerActorId: station,
      recordedSide: 'seller',
    });
    expect(buy.statusCode, buy.body).toBe(409);
    expect(buy.json().code).toBe('custody.actor_suspended');
    expect((await get(`/api/v1/lots/${lot.id}`)).json().holderActorId).toBe(miner);

    const back = await change(station, 'reinstate', h.supervisor!, 'Supplier documents received');
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json()).toMatchObject({ status: 'active', version: 3 });
    const twice = await change(station, 'reinstate', h.supervisor!);
    expect(twice.statusCode).toBe(409);
    expect(twice.json().code).toBe('custody.not_suspended');

    const retry = await post(t, h.admin!, '/api/v1/custody/transfers', {
      lotIds: [lot.id],
      sellerActorId: miner,
      buyerActorId: station,
      recordedSide: 'seller',
    });
    expect(retry.statusCode, retry.body).toBe(201);

    const trail = (await auditOf(station)).filter((e) => e.action !== 'custody.actor_created');
    expect(trail.map((e) => [e.action, e.meta.reason])).toEqual([
      ['custody.actor_suspended', 'Bought from an unlicensed site'],
      ['custody.actor_reinstated', 'Supplier documents received'],
    ]);
    expect(trail[0]!.actor_id).toBe(t.fx.users.obuasiOfficer.id);
  });

  it('refuses production by a suspended miner', async () => {
    const miner = await custodyActor(t, h.admin!, 'obuasi', 'miner');
    const pit = await site(t, h.admin!, 'obuasi');
    expect((await change(miner, 'suspend', h.admin!)).statusCode).toBe(200);
    const res = await post(t, h.admin!, '/api/v1/lots', {
      holderActorId: miner,
      originSiteId: pit,
      mineral: 'gold',
      form: 'ore',
      massMg: 1_000,
    });
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json().code).toBe('custody.actor_suspended');
  });

  it('is for officers in the actor area: not for a buying-station agent, not outside the area', async () => {
    const trader = await custodyActor(t, h.admin!, 'obuasi', 'trader');
    const agent = await change(trader, 'suspend', h.agent!);
    expect(agent.statusCode, agent.body).toBe(403);
    expect(agent.json().code).toBe('access.forbidden');
    const outside = await change(trader, 'suspend', h.bibianiAdmin!);
    expect(outside.statusCode, outside.body).toBe(403);
    expect(outside.json().code).toBe('access.outside_jurisdiction');
    expect((await get(`/api/v1/custody/actors/${trader}`)).json()).toMatchObject({
      status: 'active',
      version: 1,
    });

    const noReason = await post(t, h.admin!, `/api/v1/custody/actors/${trader}/suspend`, {});
    expect(noReason.statusCode).toBe(400);
    const unknown = await change(uuidv7(), 'suspend', h.admin!);
    expect(unknown.statusCode).toBe(404);
  });

  it('lets one of two suspensions sent at once succeed', async () => {
    const trader = await custodyActor(t, h.admin!, 'obuasi', 'trader');
    const both = await Promise.all([
      change(trader, 'suspend', h.admin!),
      change(trader, 'suspend', h.obuasiOfficer!),
    ]);
    expect(both.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const trail = (await auditOf(trader)).filter((e) => e.action === 'custody.actor_suspended');
    expect(trail).toHaveLength(1);
  });
});
