import { expandBoxByMetres } from '../../../shared/geo/distance.ts';
import { bbox as bboxOf } from '../../../shared/geo/measure.ts';
import type { AreaGeometry, BBox } from '../../../shared/geo/types.ts';
import {
  type GeometryProblemCode,
  makeValidOffer,
  repair,
  validateGeometry,
} from '../../../shared/geo/validate.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import type {
  CadastreFeature,
  CheckBody,
  CheckResult,
  CreateLayerBody,
  FeatureProblem,
  ImportBody,
  ImportResult,
  Layer,
  LayerKind,
} from '../../../shared/schemas/cadastre.ts';
import {
  AccessDenied,
  assertCanRead,
  requirePermission,
  scopePaths,
  subtreePatterns,
} from '../../platform/access/access.ts';
import type { AuditLog } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { RequestContext } from '../../platform/context.ts';
import type { Queryable } from '../../platform/db/schema.ts';
import { AppError, problems } from '../../platform/errors.ts';
import { type CheckOptions, computeCheck, type TierRules } from './check.ts';
import { csvInvalid, featuresFromCsv } from './csv-import.ts';
import {
  cellsFromGeometry,
  cellsFromIds,
  gridProblems,
  outlineOf,
  parseCadastreSettings,
} from './grid-area.ts';
import { type AreaShape, createAreaLocator, prepareImport } from './import.ts';
import * as repo from './repo.ts';

/** Problems of the cadastre, with stable codes (translated in src/shared/i18n/*\/errors.json). */
export const cadastreProblems = {
  unknownLayer: () => new AppError(404, 'cadastre.unknown_layer', 'There is no such cadastre layer.'),
  layerExists: () =>
    new AppError(409, 'cadastre.layer_exists', 'A layer with this name already exists in this country.'),
  invalidGeometry: (extra: Record<string, unknown>) =>
    new AppError(422, 'cadastre.invalid_geometry', 'The area is not a valid polygon.', extra),
  importFailed: (features: FeatureProblem[], failedFeatures: number) =>
    new AppError(
      422,
      'cadastre.import_failed',
      `${failedFeatures} feature(s) cannot be loaded; nothing was loaded.`,
      { features, failedFeatures },
    ),
  unknownTier: (code: string) =>
    new AppError(422, 'cadastre.unknown_tier', `The country's profile has no licence tier ${code}.`, {
      tierCode: code,
    }),
};

/** At most this many per-feature problems are listed in one answer (the count is always given). */
const MAX_LISTED_PROBLEMS = 1000;

/** Cadastre data is country-wide: managing it needs cadastre.manage at a country root. */
function requireCountryManager(ctx: RequestContext, country: string, entityId: string | null) {
  const actor = requirePermission(ctx, 'cadastre.manage');
  if (actor.kind === 'system') return actor;
  if (!scopePaths(actor, 'cadastre.manage').some((p) => p === `/${country}/`)) {
    throw new AccessDenied(problems.forbidden(), 'cadastre.manage', {
      entityType: 'cadastre_layer',
      entityId,
      areaId: null,
    });
  }
  return actor;
}

const toLayer = (r: repo.LayerWithCount): Layer => ({
  id: r.id,
  country: r.country,
  kind: r.kind,
  name: r.name,
  source: r.source,
  licence: r.licence,
  notes: r.notes,
  featureCount: Number(r.feature_count),
  createdAt: new Date(r.created_at).toISOString(),
  version: r.version,
});

const toGeojsonFeature = (r: repo.FeatureRow | Omit<repo.FeatureRow, 'created_at'>) => ({
  type: 'Feature' as const,
  id: r.id,
  properties: {
    externalRef: r.external_ref,
    name: r.name,
    status: r.status,
    areaM2: r.area_m2,
    areaId: r.area_id,
    licenceId: r.licence_id,
    designationDate: r.designation_date,
    allowedTiers: r.allowed_tiers,
    attributes: r.attributes,
  },
  geometry: r.geometry,
});

const parseBox = (text: string | null): BBox | null => (text ? repo.parseBox(text) : null);

/**
 * The overlap check of an area, without an access check: the caller has decided who may see it (the
 * cadastre route wants cadastre.read; an application's area is checked for whoever may apply). Also
 * returns the geometry after the safe repairs, the one that was checked.
 */
export async function checkArea(
  db: Queryable,
  body: CheckBody,
): Promise<{ result: CheckResult; geometry: AreaGeometry }> {
  const started = performance.now();
  const context = await repo.checkContextOf(db, body.country, body.tierCode ?? null);
  const settings = parseCadastreSettings(context.cadastre);
  const bufferMetres = settings.protectedAreaBufferMetres;
  let applied: AreaGeometry;
  let codes: GeometryProblemCode[] = [];
  let grid: CheckOptions['grid'];
  if (body.cells !== undefined) {
    if (!settings.grid) throw gridProblems.noGrid();
    const cells = cellsFromIds(settings.grid, body.cells);
    applied = outlineOf(settings.grid, cells);
    grid = { grid: settings.grid, cells, source: 'cells' };
  } else {
    const hint = parseBox(context.countryBbox) ?? undefined;
    const validation = validateGeometry(body.geometry, hint ? { bboxHint: hint } : {});
    if (validation.status === 'invalid') {
      const offerable = validation.problems.every((p) => p.repair !== 'none');
      throw cadastreProblems.invalidGeometry({
        problems: validation.problems,
        offer: offerable ? makeValidOffer(body.geometry as AreaGeometry) : null,
      });
    }
    codes = [...new Set(validation.problems.map((p) => p.code))];
    applied =
      codes.length > 0 ? repair(body.geometry as AreaGeometry, codes) : (body.geometry as AreaGeometry);
    if (settings.grid) {
      // In a grid country an area is whole cells: the drawing becomes every cell it touches.
      const cells = cellsFromGeometry(settings.grid, applied);
      applied = outlineOf(settings.grid, cells);
      grid = { grid: settings.grid, cells, source: 'geometry' };
    }
  }

  let tier: TierRules | null = null;
  if (body.tierCode) {
    const found = context.tier;
    if (!found) throw cadastreProblems.unknownTier(body.tierCode);
    tier = {
      code: found.code,
      maxAreaHectares: found.maxAreaHectares ?? null,
      zoneBound: await repo.tierIsZoneBound(db, body.country, found.code),
    };
  }
  const box = bboxOf(applied);
  const near = bufferMetres > 0 ? expandBoxByMetres(box, bufferMetres) : undefined;
  const candidates = await repo.candidatesFor(db, body.country, box, near);
  const computed = computeCheck(applied, candidates, tier, {
    protectedAreaBufferMetres: bufferMetres,
    ...(grid ? { grid } : {}),
  });
  return {
    geometry: applied,
    result: {
      country: body.country,
      repairsApplied: codes,
      ...computed,
      candidates: candidates.length,
      ms: Math.round((performance.now() - started) * 10) / 10,
    },
  };
}

export function createCadastreService({ audit, clock }: { audit: AuditLog; clock: Clock }) {
  async function countryBox(db: Queryable, country: string): Promise<BBox | undefined> {
    return parseBox(await repo.countryBbox(db, country)) ?? undefined;
  }

  async function layerOrThrow(db: Queryable, ctx: RequestContext, id: string) {
    requirePermission(ctx, 'cadastre.read');
    const layer = await repo.findLayer(db, id);
    if (!layer) throw cadastreProblems.unknownLayer();
    return layer;
  }

  return {
    async listLayers(db: Queryable, ctx: RequestContext, q: { country?: string; kind?: LayerKind }) {
      requirePermission(ctx, 'cadastre.read');
      return { items: (await repo.listLayers(db, q)).map(toLayer) };
    },

    async createLayer(tx: Queryable, ctx: RequestContext, body: CreateLayerBody) {
      const actor = requireCountryManager(ctx, body.country, body.id ?? null);
      if (body.id) {
        const existing = await repo.findLayer(tx, body.id);
        if (existing) return { layer: toLayer(existing), created: false };
      }
      if (await repo.findLayerByName(tx, body.country, body.name)) throw cadastreProblems.layerExists();
      const id = body.id ?? uuidv7();
      await repo.insertLayer(tx, {
        id,
        country: body.country,
        kind: body.kind,
        name: body.name,
        source: body.source ?? null,
        licence: body.licence ?? null,
        notes: body.notes ?? null,
        created_by: actor.kind === 'system' ? null : actor.id,
        created_at: clock.now(),
      });
      const layer = toLayer((await repo.findLayer(tx, id))!);
      await audit.record(tx, ctx, {
        action: 'cadastre.layer_created',
        entityType: 'cadastre_layer',
        entityId: id,
        after: layer,
      });
      return { layer, created: true };
    },

    /**
     * Validates every feature; when one fails and skipInvalid is not set, loads nothing and says
     * what failed where. Otherwise inserts the valid ones in one transaction, in batches.
     */
    async importFeatures(
      tx: Queryable,
      ctx: RequestContext,
      layerId: string,
      body: ImportBody,
      options: { skipInvalid: boolean; repair: 'safe' | 'none' },
    ): Promise<ImportResult> {
      const started = performance.now();
      const layer = await layerOrThrow(tx, ctx, layerId);
      requireCountryManager(ctx, layer.country, layerId);
      await repo.lockLayer(tx, layerId);
      const prepared = prepareImport(body, {
        repair: options.repair,
        bboxHint: await countryBox(tx, layer.country),
      });
      if (prepared.failedCount > 0 && !options.skipInvalid) {
        throw cadastreProblems.importFailed(
          prepared.problems.slice(0, MAX_LISTED_PROBLEMS),
          prepared.failedCount,
        );
      }
      const shapes: AreaShape[] = (await repo.areaShapes(tx, layer.country)).flatMap((a) => {
        const box = parseBox(a.bbox);
        const geometry = a.geometry as AreaGeometry | null;
        return box && geometry ? [{ id: a.id, level: a.level, geometry, bbox: box }] : [];
      });
      const locate = createAreaLocator(shapes);
      const now = clock.now();
      await repo.insertFeatures(
        tx,
        prepared.features.map((f) => ({
          id: uuidv7(now.getTime()),
          layerId,
          externalRef: f.externalRef,
          name: f.name,
          status: f.status,
          attributes: f.attributes,
          geometry: f.geometry,
          bbox: f.bbox,
          areaM2: f.areaM2,
          areaId: locate(f.bbox),
          licenceId: f.licenceId,
          designationDate: f.designationDate,
          allowedTiers: f.allowedTiers,
          createdAt: now,
        })),
      );
      await repo.touchLayer(tx, layerId, now);
      const skippedFeatures = prepared.problems.slice(0, MAX_LISTED_PROBLEMS);
      const result: ImportResult = {
        layerId,
        received: body.features.length,
        loaded: prepared.features.length,
        repaired: prepared.features.filter((f) => f.repaired).length,
        skipped: prepared.failedCount,
        skippedFeatures,
        ms: 0,
      };
      await audit.record(tx, ctx, {
        action: 'cadastre.features_imported',
        entityType: 'cadastre_layer',
        entityId: layerId,
        // Counts, not geometries: the trail stays small and the data is in the table.
        meta: {
          received: result.received,
          loaded: result.loaded,
          repaired: result.repaired,
          skipped: result.skipped,
          repairMode: options.repair,
          skipInvalid: options.skipInvalid,
        },
      });
      result.ms = Math.round(performance.now() - started);
      return result;
    },

    /**
     * A CSV of corner coordinates, imported as its FeatureCollection would be. Access is checked
     * before the file is read, so a refused caller learns nothing about what it holds.
     */
    async importCsv(
      tx: Queryable,
      ctx: RequestContext,
      layerId: string,
      text: string,
      options: { skipInvalid: boolean; repair: 'safe' | 'none' },
    ): Promise<ImportResult> {
      const layer = await layerOrThrow(tx, ctx, layerId);
      requireCountryManager(ctx, layer.country, layerId);
      const parsed = featuresFromCsv(text);
      if (!parsed.ok) throw csvInvalid(parsed.errors);
      return this.importFeatures(tx, ctx, layerId, parsed.body, options);
    },

    /**
     * The features of a layer that the caller may read, as a GeoJSON FeatureCollection in chunks:
     * keyset pages of `batchSize` from the database, up to `limit` features. The collection ends with
     * `next`, the `after` of the following page (null at the end). Checks access before the first
     * chunk, so a refusal is still a problem document.
     */
    async openFeatureStream(
      db: Queryable,
      ctx: RequestContext,
      layerId: string,
      q: { after?: string | undefined; limit: number },
      batchSize = 500,
    ): Promise<AsyncGenerator<string>> {
      const actor = requirePermission(ctx, 'cadastre.read');
      const layer = await layerOrThrow(db, ctx, layerId);
      const paths = scopePaths(actor, 'cadastre.read');
      const all = paths.includes('/');
      const filter = {
        patterns: all ? null : subtreePatterns(paths),
        includeUnplaced: all || paths.includes(`/${layer.country}/`),
      };
      async function* chunks(): AsyncGenerator<string> {
        const head = { type: 'FeatureCollection', layer: toLayer(layer) };
        yield `${JSON.stringify(head).slice(0, -1)},"features":[`;
        let after = q.after;
        let remaining = q.limit;
        let first = true;
        let more = true;
        while (remaining > 0 && more) {
          const limit = Math.min(batchSize, remaining);
          const rows = await repo.featurePage(db, layerId, { ...filter, after, limit });
          let text = '';
          for (const r of rows) {
            text += (first ? '' : ',') + JSON.stringify(toGeojsonFeature(r));
            first = false;
          }
          if (text) yield text;
          remaining -= rows.length;
          more = rows.length === limit;
          after = rows.at(-1)?.id ?? after;
        }
        // One row past the end tells whether another page follows.
        const next =
          more && after
            ? (await repo.featurePage(db, layerId, { ...filter, after, limit: 1 })).length > 0
              ? after
              : null
            : null;
        yield `],"next":${JSON.stringify(next)}}`;
      }
      return chunks();
    },

    async getFeature(db: Queryable, ctx: RequestContext, id: string): Promise<CadastreFeature> {
      const row = await repo.findFeature(db, id);
      if (!row) {
        requirePermission(ctx, 'cadastre.read');
        throw problems.notFound('Cadastre feature');
      }
      assertCanRead(ctx, 'cadastre.read', {
        entityType: 'Cadastre feature',
        entityId: id,
        areaId: row.area_id,
        // A feature outside every admin area belongs to the country.
        areaPath: row.area_path ?? `/${row.country}/`,
      });
      return {
        id: row.id,
        layerId: row.layer_id,
        layerKind: row.layer_kind,
        country: row.country,
        externalRef: row.external_ref,
        name: row.name,
        status: row.status,
        attributes: row.attributes,
        geometry: row.geometry,
        bbox: repo.parseBox(row.bbox),
        areaM2: row.area_m2,
        areaId: row.area_id,
        licenceId: row.licence_id,
        designationDate: row.designation_date,
        allowedTiers: row.allowed_tiers,
      };
    },

    /**
     * The overlap check of an application area. Reads only: rights and zones anywhere in the
     * country are shown, since a conflict across a district boundary is still a conflict.
     */
    async check(db: Queryable, ctx: RequestContext, body: CheckBody): Promise<CheckResult> {
      requirePermission(ctx, 'cadastre.read');
      return (await checkArea(db, body)).result;
    },
  };
}

export type CadastreService = ReturnType<typeof createCadastreService>;
