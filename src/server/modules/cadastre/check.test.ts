import { describe, expect, it } from 'vitest';
import { intersection, union } from '../../../shared/geo/clip.ts';
import { area } from '../../../shared/geo/measure.ts';
import type { PolygonGeometry } from '../../../shared/geo/types.ts';
import { computeCheck } from './check.ts';
import type { Candidate } from './repo.ts';

const polygon = (ring: [number, number][]): PolygonGeometry => ({ type: 'Polygon', coordinates: [ring] });

/**
 * An application and the nine licence areas around it, from a crowded synthetic cadastre of
 * `npm run bench:cadastre -- --rivers=60`: subtracting the overlaps (rather than the rights) to get
 * the free part made polygon-clipping throw "Unable to pop() left SweepEvent", a 500 for the user.
 */
const APPLIED = polygon([
  [-1.9456308, 4.857792],
  [-1.9476966, 4.8580961],
  [-1.9476069, 4.8557876],
  [-1.9461385, 4.8552834],
  [-1.9456308, 4.857792],
]);
const RIGHTS = (
  [
    [
      [-1.9450348, 4.8556352],
      [-1.948473, 4.8545292],
      [-1.9472472, 4.8512168],
      [-1.9437057, 4.8520483],
      [-1.9450348, 4.8556352],
    ],
    [
      [-1.9444691, 4.8568168],
      [-1.9475404, 4.8570059],
      [-1.9480785, 4.8539372],
      [-1.9444708, 4.8533919],
      [-1.9444691, 4.8568168],
    ],
    [
      [-1.944073, 4.858762],
      [-1.947955, 4.8578395],
      [-1.9470735, 4.8548784],
      [-1.9452801, 4.8551942],
      [-1.944073, 4.858762],
    ],
    [
      [-1.9453924, 4.8546751],
      [-1.9476836, 4.8558939],
      [-1.9487374, 4.8541703],
      [-1.9472759, 4.8528795],
      [-1.9457244, 4.85277],
      [-1.9453924, 4.8546751],
    ],
    [
      [-1.9425291, 4.8550527],
      [-1.9457715, 4.8561878],
      [-1.9476523, 4.8534863],
      [-1.9455364, 4.8517319],
      [-1.943381, 4.8529996],
      [-1.9425291, 4.8550527],
    ],
    [
      [-1.9458689, 4.8556231],
      [-1.9499796, 4.8565973],
      [-1.9511845, 4.8546546],
      [-1.9491953, 4.8527569],
      [-1.9469652, 4.852345],
      [-1.9458689, 4.8556231],
    ],
    [
      [-1.947, 4.8596642],
      [-1.9500888, 4.8612195],
      [-1.9518131, 4.8583295],
      [-1.9497939, 4.8562549],
      [-1.9478991, 4.8572748],
      [-1.947, 4.8596642],
    ],
    [
      [-1.9412681, 4.8548647],
      [-1.943601, 4.8559786],
      [-1.9459879, 4.8541838],
      [-1.9437384, 4.8513184],
      [-1.9415083, 4.8526171],
      [-1.9412681, 4.8548647],
    ],
    [
      [-1.9473962, 4.8561487],
      [-1.950283, 4.8561494],
      [-1.9505569, 4.8528374],
      [-1.9475723, 4.8532472],
      [-1.9473962, 4.8561487],
    ],
  ] as [number, number][][]
).map(polygon);

const candidate = (geometry: PolygonGeometry, i: number): Candidate => ({
  id: `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`,
  layer_id: '00000000-0000-7000-8000-000000000000',
  external_ref: `SYN-${i}`,
  name: null,
  status: 'active',
  geometry,
  allowed_tiers: null,
  layer_kind: 'licence_area',
  layer_name: 'Licence areas',
});

describe('computeCheck on a crowded cadastre', () => {
  it('computes the free part where the overlaps share edges with the application', () => {
    const result = computeCheck(APPLIED, RIGHTS.map(candidate), null);
    expect(result.overlaps.length).toBeGreaterThan(0);
    // The free part is the application less the union of the rights over it, computed another way.
    const covered = intersection(APPLIED, union(RIGHTS[0]!, ...RIGHTS.slice(1))!);
    const expected = result.appliedAreaM2 - (covered ? area(covered) : 0);
    expect(Math.abs(result.free.areaM2 - expected)).toBeLessThan(1e-6 * result.appliedAreaM2);
    expect(result.rules.find((r) => r.code === 'no_active_right')?.passed).toBe(false);
  });
});
