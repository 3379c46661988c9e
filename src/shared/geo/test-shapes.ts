/** Shapes for the geometry tests (not shipped code paths; imported by *.test.ts only). */
import fc from 'fast-check';
import type { PolygonGeometry, Position } from './types.ts';

/**
 * A star-shaped polygon around a centre: corners at distinct angles in order, so the ring is simple
 * and counter-clockwise. `scale` is the largest radius in degrees.
 */
export function starPolygon(
  centre: [number, number],
  angles: number[],
  radii: number[],
  scale: number,
): PolygonGeometry {
  const sorted = [...angles].sort((a, b) => a - b);
  const ring: Position[] = sorted.map((deg, i) => {
    const r = scale * radii[i % radii.length]!;
    const t = (deg * Math.PI) / 180;
    return [centre[0] + r * Math.cos(t), centre[1] + r * Math.sin(t)];
  });
  ring.push([...ring[0]!] as Position);
  return { type: 'Polygon', coordinates: [ring] };
}

/** Random simple CCW polygons inside the DRC, from a few hundred metres to about 10 km across. */
export const arbitraryPolygon = (near?: [number, number]): fc.Arbitrary<PolygonGeometry> =>
  fc
    .record({
      lon: near
        ? fc.double({ min: near[0] - 0.02, max: near[0] + 0.02, noNaN: true })
        : fc.double({ min: 13, max: 30, noNaN: true }),
      lat: near
        ? fc.double({ min: near[1] - 0.02, max: near[1] + 0.02, noNaN: true })
        : fc.double({ min: -12, max: 4, noNaN: true }),
      angles: fc.uniqueArray(fc.integer({ min: 0, max: 359 }), { minLength: 3, maxLength: 24 }),
      radii: fc.array(fc.double({ min: 0.3, max: 1, noNaN: true }), { minLength: 1, maxLength: 24 }),
      scale: fc.double({ min: 0.003, max: 0.05, noNaN: true }),
    })
    .filter(({ angles }) => {
      // Every gap between consecutive angles below 180°, so the centre is inside and the ring is not degenerate.
      const s = [...angles].sort((a, b) => a - b);
      return s.every((a, i) => ((s[(i + 1) % s.length]! - a + 360) % 360 || 360) < 180);
    })
    .map(({ lon, lat, angles, radii, scale }) => starPolygon([lon, lat], angles, radii, scale));
