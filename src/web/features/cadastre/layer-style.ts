import { LAYER_KINDS, type LayerKind } from '../../../shared/schemas/cadastre.ts';

/**
 * One colour per kind of layer, the same on every cadastre map and in its legend: rights in blue and
 * purple, zones in green, what must be kept clear in red, customary land in brown, detections orange.
 */
export const KIND_COLOURS: Readonly<Record<LayerKind, string>> = {
  licence_area: '#1f5fbf',
  asm_zone: '#2e7d32',
  lsm_title: '#7b1fa2',
  protected_area: '#c62828',
  customary_land: '#795548',
  activity_detection: '#e65100',
  armed_group_presence: '#212121',
};

/** Drawing order, bottom first: wide context under the rights, detections on top. */
export const KIND_DRAW_ORDER: readonly LayerKind[] = [
  'armed_group_presence',
  'customary_land',
  'protected_area',
  'asm_zone',
  'lsm_title',
  'licence_area',
  'activity_detection',
];

export const KINDS = LAYER_KINDS;

/** The most features of one layer drawn on the map; the export link has them all. */
export const MAP_FEATURE_CAP = 5000;
