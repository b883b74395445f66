// The card grid's pure parts: grouping rows and moving focus by arrow keys.
import type { Workspace } from './bindings/Workspace';

export type GroupBy = 'none' | 'account' | 'provider';

export type Row = { kind: 'group'; key: string; label: string } | { kind: 'card'; key: string; group: string; workspace: Workspace };

/** Cards in their groups (groups by name, cards in the order given), each group led by a header row. */
export function groupRows(list: Workspace[], by: GroupBy, keyOf: (w: Workspace) => string): Row[] {
  if (by === 'none') return list.map((w) => ({ kind: 'card', key: keyOf(w), group: '', workspace: w }));
  const groups = new Map<string, Workspace[]>();
  for (const w of list) {
    const name = w[by];
    const members = groups.get(name);
    if (members) members.push(w);
    else groups.set(name, [w]);
  }
  const rows: Row[] = [];
  for (const name of [...groups.keys()].sort()) {
    rows.push({ kind: 'group', key: `group\u0000${name}`, label: name });
    for (const w of groups.get(name)!) rows.push({ kind: 'card', key: keyOf(w), group: name, workspace: w });
  }
  return rows;
}

export type Box = { top: number; left: number };

/**
 * The card an arrow key moves to from card `from`: left and right follow reading order; up
 * and down go to the nearest row above or below (across group headers), to the card closest
 * in column. Returns `from` when there is nowhere to go.
 */
export function nextCard(boxes: Box[], from: number, key: string): number {
  if (key === 'ArrowRight') return Math.min(from + 1, boxes.length - 1);
  if (key === 'ArrowLeft') return Math.max(from - 1, 0);
  if (key !== 'ArrowDown' && key !== 'ArrowUp') return from;
  const here = boxes[from];
  const below = key === 'ArrowDown';
  const rowTops = boxes.map((b) => b.top).filter((t) => (below ? t > here.top : t < here.top));
  if (!rowTops.length) return from;
  const row = below ? Math.min(...rowTops) : Math.max(...rowTops);
  let best = from;
  for (let i = 0; i < boxes.length; i++) {
    if (boxes[i].top !== row) continue;
    if (best === from || Math.abs(boxes[i].left - here.left) < Math.abs(boxes[best].left - here.left)) best = i;
  }
  return best;
}
