/**
 * Regenerates the demo district files from the shipped real boundaries:
 *   npx tsx profiles/build-demo-districts.ts
 * The output is deterministic, so re-running it on unchanged inputs gives identical files.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type AreaGeometry,
  type DemoDistrict,
  demoDistricts,
  type RegionCollection,
  type Ring,
} from '../src/shared/demo-districts.ts';

const here = dirname(fileURLToPath(import.meta.url));
const PER_REGION = 3;

// Same precision as the real boundary files (about 1 m), to keep the files small.
const round = (v: number) => Math.round(v * 1e5) / 1e5;

function roundRing(ring: Ring): Ring | null {
  const out: Ring = [];
  for (const [x, y] of ring) {
    const p: [number, number] = [round(x), round(y)];
    const q = out[out.length - 1];
    if (!q || q[0] !== p[0] || q[1] !== p[1]) out.push(p);
  }
  return out.length >= 4 ? out : null;
}

function roundGeometry(g: AreaGeometry): AreaGeometry | null {
  const polygons = (g.type === 'Polygon' ? [g.coordinates] : g.coordinates)
    .map((rings) => rings.map(roundRing))
    .filter((rings) => rings[0])
    .map((rings) => rings.filter((r): r is Ring => r !== null));
  if (polygons.length === 0) return null;
  return polygons.length === 1
    ? { type: 'Polygon', coordinates: polygons[0]! }
    : { type: 'MultiPolygon', coordinates: polygons };
}

function build(input: string, output: string, nameFor: (region: string, n: number) => string): void {
  const regions = JSON.parse(readFileSync(join(here, input), 'utf8')) as RegionCollection;
  const features: DemoDistrict[] = [];
  for (const district of demoDistricts(regions, PER_REGION, nameFor).features) {
    const geometry = roundGeometry(district.geometry);
    if (geometry) features.push({ ...district, geometry });
  }
  // One feature per line keeps diffs of regenerated files readable.
  const body = features.map((f) => JSON.stringify(f)).join(',\n');
  writeFileSync(join(here, output), `{"type":"FeatureCollection","features":[\n${body}\n]}\n`);
  console.log(`${output}: ${features.length} demo units from ${regions.features.length} regions`);
}

build('ghana/regions.geojson', 'ghana/districts.demo.geojson', (region, n) => {
  return `${region.replace(/ Region$/, '')} Demo District ${n}`;
});
build('drc/provinces.geojson', 'drc/territories.demo.geojson', (province, n) => {
  return `Territoire de démonstration ${n} (${province})`;
});
