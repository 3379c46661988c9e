/**
 * Places a custody graph in layers, left to right: a lot sits one column after the furthest lot it
 * came from, so every arrow points rightwards and origins stand in the first column. Pure, so it can
 * be read and tested without a browser.
 */
export interface LayoutNode {
  id: string;
  x: number;
  y: number;
}
export interface LayoutEdge {
  from: string;
  to: string;
  /** Path of the arrow, from the right side of one box to the left side of the next. */
  d: string;
}
export interface Layout {
  width: number;
  height: number;
  nodes: Map<string, LayoutNode>;
  edges: LayoutEdge[];
}

export const BOX_WIDTH = 150;
export const BOX_HEIGHT = 48;
const GAP_X = 60;
const GAP_Y = 20;
const MARGIN = 8;

export function layoutGraph(
  nodeIds: readonly string[],
  edges: readonly { from: string; to: string }[],
): Layout {
  const known = new Set(nodeIds);
  const links = edges.filter((e) => known.has(e.from) && known.has(e.to) && e.from !== e.to);
  const parents = new Map<string, string[]>();
  for (const e of links) parents.set(e.to, [...(parents.get(e.to) ?? []), e.from]);

  // Longest path from a source; the custody graph has no cycles, the guard is for bad data only.
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const depthOf = (id: string): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0;
    visiting.add(id);
    const d = Math.max(-1, ...(parents.get(id) ?? []).map(depthOf)) + 1;
    visiting.delete(id);
    depth.set(id, d);
    return d;
  };
  const columns: string[][] = [];
  for (const id of nodeIds) {
    const d = depthOf(id);
    columns[d] = [...(columns[d] ?? []), id];
  }

  const nodes = new Map<string, LayoutNode>();
  let rows = 0;
  columns.forEach((column = [], c) => {
    rows = Math.max(rows, column.length);
    column.forEach((id, r) => {
      nodes.set(id, { id, x: MARGIN + c * (BOX_WIDTH + GAP_X), y: MARGIN + r * (BOX_HEIGHT + GAP_Y) });
    });
  });
  const layoutEdges = links.map((e) => {
    const a = nodes.get(e.from)!;
    const b = nodes.get(e.to)!;
    const x1 = a.x + BOX_WIDTH;
    const y1 = a.y + BOX_HEIGHT / 2;
    const x2 = b.x - 4;
    const y2 = b.y + BOX_HEIGHT / 2;
    const mid = (x1 + x2) / 2;
    return { from: e.from, to: e.to, d: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}` };
  });
  return {
    width: MARGIN * 2 + Math.max(1, columns.length) * (BOX_WIDTH + GAP_X) - GAP_X,
    height: MARGIN * 2 + Math.max(1, rows) * (BOX_HEIGHT + GAP_Y) - GAP_Y,
    nodes,
    edges: layoutEdges,
  };
}
