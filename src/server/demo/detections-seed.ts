import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AreaGeometry } from '../../shared/geo/types.ts';
import { makeValidOffer, validateGeometry } from '../../shared/geo/validate.ts';
import { type ImportBody, importBody } from '../../shared/schemas/cadastre.ts';
import * as repo from '../modules/cadastre/repo.ts';
import { createCadastreService } from '../modules/cadastre/service.ts';
import { PROFILES_DIR } from '../modules/profiles/loader.ts';
import type { AuditLog } from '../platform/audit/audit.ts';
import type { Clock } from '../platform/clock.ts';
import type { RequestContext } from '../platform/context.ts';
import type { Database } from '../platform/db/database.ts';

/**
 * Mining activity detected by satellite, shipped with the Ghana profile (CC BY 4.0, see
 * profiles/ATTRIBUTION.md), loaded as a layer of kind activity_detection through the cadastre
 * import: the same validation and safe repairs as any import. Loaded once: nothing happens when the
 * layer has features.
 */
export const GHANA_DETECTIONS = {
  country: 'GH',
  file: join(PROFILES_DIR, 'ghana', 'detections-2024.geojson'),
  name: 'Mining activity detected by satellite, 2024',
  source: 'Earth Genome, mining-detector (earthrise-media), Ghana 2024',
  licence: 'CC BY 4.0',
  notes:
    'Areas where imagery shows mining activity. A detection is not a finding about anyone: it helps district offices plan visits to offer licences, training and support.',
} as const;

/** Largest change of area accepted when a shipped outline is made valid (0.1 %). */
const MAKE_VALID_TOLERANCE = 0.001;

/**
 * Accepts the "make valid" offer for the shipped outlines that need it: a few traced pixel outlines
 * touch themselves at a corner (one with a hole touching its shell), which the union with itself
 * splits into lobes with the same area; the result must then validate.
 * An import never does this on its own (a person chooses); here the people shipping the file have
 * chosen, within MAKE_VALID_TOLERANCE of the area. Returns how many outlines were changed.
 */
export function acceptMakeValid(body: ImportBody): number {
  let changed = 0;
  for (const feature of body.features) {
    const result = validateGeometry(feature.geometry);
    if (result.status !== 'invalid') continue;
    const offer = makeValidOffer(feature.geometry as AreaGeometry);
    const drift = Math.abs(offer.areaAfterM2 - offer.areaBeforeM2) / Math.max(offer.areaBeforeM2, 1);
    if (!offer.geometry || drift > MAKE_VALID_TOLERANCE) continue;
    // A hole touching its shell reads as "outside the shell" until the union sorts the rings out.
    if (validateGeometry(offer.geometry).status === 'invalid') continue;
    feature.geometry = offer.geometry;
    changed++;
  }
  return changed;
}

export async function seedDetectionsDemo(
  database: Database,
  deps: { audit: AuditLog; clock: Clock },
  ctx: RequestContext,
  profileName: string,
  log: (msg: string) => void = () => {},
): Promise<{ layerId: string; loaded: number; repaired: number; madeValid: number; skipped: number } | null> {
  if (profileName !== 'ghana') return null;
  const d = GHANA_DETECTIONS;
  const service = createCadastreService(deps);
  return database.db.transaction().execute(async (tx) => {
    const { layer } = await service.createLayer(tx, ctx, {
      id: (await repo.findLayerByName(tx, d.country, d.name))?.id,
      country: d.country,
      kind: 'activity_detection',
      name: d.name,
      source: d.source,
      licence: d.licence,
      notes: d.notes,
    });
    if (layer.featureCount > 0) {
      return { layerId: layer.id, loaded: 0, repaired: 0, madeValid: 0, skipped: 0 };
    }
    const body = importBody.parse(JSON.parse(await readFile(d.file, 'utf8')));
    const madeValid = acceptMakeValid(body);
    const result = await service.importFeatures(tx, ctx, layer.id, body, {
      skipInvalid: true,
      repair: 'safe',
    });
    log(
      `loaded ${result.loaded} detected mining areas (${result.repaired} repaired, ${madeValid} made valid, ${result.skipped} skipped)`,
    );
    const { loaded, repaired, skipped } = result;
    return { layerId: layer.id, loaded, repaired, madeValid, skipped };
  });
}
