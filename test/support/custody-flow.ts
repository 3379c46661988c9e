import { expect } from 'vitest';
import { createCustodyRecorder } from '../../src/server/modules/custody/record.ts';
import { createAuditLog } from '../../src/server/platform/audit/audit.ts';
import { systemContext } from '../../src/server/platform/context.ts';
import type { TestApp } from './app.ts';
import type { AreaKey } from './fixtures.ts';

/** Small steps of the chain of custody through the API, shared by the custody tests and the access matrix. */
export type Headers = Record<string, string>;

export async function post(t: TestApp, headers: Headers, url: string, payload: object, extra: Headers = {}) {
  return t.app.inject({ method: 'POST', url, headers: { ...headers, ...extra }, payload });
}

async function created(t: TestApp, headers: Headers, url: string, payload: object) {
  const res = await post(t, headers, url, payload);
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

let names = 0;
export async function custodyActor(
  t: TestApp,
  headers: Headers,
  area: AreaKey,
  kind: 'miner' | 'enterprise' | 'trader' | 'processing_plant' | 'buying_station' | 'exporter',
): Promise<string> {
  return (
    await created(t, headers, '/api/v1/custody/actors', {
      kind,
      name: `${kind} ${area} ${++names}`,
      areaId: t.fx.areas[area].id,
    })
  ).id;
}

export async function site(t: TestApp, headers: Headers, area: AreaKey): Promise<string> {
  return (
    await created(t, headers, '/api/v1/production-units', {
      kind: 'pit',
      name: `Custody pit ${++names}`,
      areaId: t.fx.areas[area].id,
    })
  ).id;
}

export interface LotOut {
  lotId: string;
  tag: string;
  role: 'input' | 'output' | 'moved';
  massMg: number;
}

/** The lots an event answer lists in a role. */
export const lotsIn = (event: { lots: LotOut[] }, role: LotOut['role']) =>
  event.lots.filter((l) => l.role === role);

export async function produce(
  t: TestApp,
  headers: Headers,
  holderActorId: string,
  originSiteId: string,
  massMg: number,
  extra: object = {},
): Promise<{ id: string; tag: string; massMg: number }> {
  const event = await created(t, headers, '/api/v1/lots', {
    holderActorId,
    originSiteId,
    mineral: 'gold',
    form: 'ore',
    massMg,
    ...extra,
  });
  const out = lotsIn(event, 'output')[0]!;
  return { id: out.lotId, tag: out.tag, massMg: out.massMg };
}

export async function transfer(
  t: TestApp,
  headers: Headers,
  lotIds: string[],
  sellerActorId: string,
  buyerActorId: string,
  recordedSide: 'seller' | 'buyer' = 'seller',
) {
  return created(t, headers, '/api/v1/custody/transfers', {
    lotIds,
    sellerActorId,
    buyerActorId,
    recordedSide,
  });
}

/**
 * A transfer recorded by the system (not by any account), so that every caller, the administrator
 * included, meets one it did not record itself and may confirm.
 */
export async function systemTransfer(
  t: TestApp,
  lotIds: string[],
  sellerActorId: string,
  buyerActorId: string,
) {
  const recorder = createCustodyRecorder({ audit: createAuditLog({ clock: t.clock }), clock: t.clock });
  const { event } = await t.database.db.transaction().execute((tx) =>
    recorder.transfer(tx, systemContext('test'), {
      lotIds,
      sellerActorId,
      buyerActorId,
      recordedSide: 'seller',
    }),
  );
  return event.id;
}
