import type { Feature, FeatureCollection, Geometry } from 'geojson';
import type { ReactNode } from 'react';

/** West, south, east, north in degrees (the GeoJSON bbox order). */
export type BBox = [number, number, number, number];

/**
 * The properties the map reads from each feature. `id` identifies the feature across layers,
 * selection and the keyboard list; `name` labels it in the list and the details panel. Any other
 * property is kept and handed back to `onSelect`.
 */
export interface MapFeatureProperties {
  id: string;
  name: string;
  [key: string]: unknown;
}

export type MapFeature = Feature<Geometry, MapFeatureProperties>;
export type MapFeatureCollection = FeatureCollection<Geometry, MapFeatureProperties>;

/** One drawn layer: a FeatureCollection in one colour, named in the legend and the list. */
export interface MapLayer {
  /** Stable id (letters, digits, dashes): also the maplibre source and layer id prefix. */
  id: string;
  /** Translated name, shown in the legend and as the heading of the layer's list. */
  label: string;
  data: MapFeatureCollection;
  /** A CSS hex colour (#rrggbb) for the outline and the fill. */
  colour: string;
  /** Draw the inside of polygons (tinted). Default true. */
  fill?: boolean;
  /** Draw outlines. Default true. */
  line?: boolean;
  /** 0–1, default 0.18. */
  fillOpacity?: number;
  /** Pixels, default 1.5. */
  lineWidth?: number;
  /** Whether clicking a feature of this layer selects it, and whether it is in the list. Default true. */
  interactive?: boolean;
}

export interface AreaMapProps {
  /** Bottom first: a later layer draws over an earlier one and wins a click where both are. */
  layers: MapLayer[];
  /** Accessible name of the map region (role="region"), e.g. "Map of the regions". */
  label: string;
  selectedId?: string | null;
  onSelect?: (feature: MapFeature, layerId: string) => void;
  /** The view to show; when absent the map fits everything drawn. A new value moves the map. */
  fitTo?: BBox | null;
  /** Extra attribution (boundary sources…), shown with the tile attribution under the map. */
  attribution?: string[];
  /**
   * The keyboard alternative to the canvas: a list of buttons, one per feature, that select as a
   * click on the map does. Default true; turn it off only when the screen offers its own list
   * (the admin-area tree does).
   */
  featureList?: boolean;
  /** The label of a feature in the list and the details; default its `name` property. */
  featureLabel?: (feature: MapFeature) => string;
  /**
   * Details of the selected feature, drawn in a panel outside the canvas. Undefined shows the
   * default (name, code, level, demo badge); null shows no panel (the screen draws its own).
   */
  renderDetails?: ((feature: MapFeature, layer: MapLayer) => ReactNode) | null;
  /** Heading level of the list and details headings, to fit the page's outline. Default 2. */
  headingLevel?: 2 | 3 | 4;
  className?: string;
  /**
   * Drawing mode: a click on the map adds a corner instead of selecting, and the corners so far are
   * drawn on top (joined into a closed outline from three on). The screen keeps the corners, so it
   * also offers typed coordinates and a file for those who cannot click precisely.
   */
  drawing?: { points: [number, number][]; onAdd: (point: [number, number]) => void } | null;
}
