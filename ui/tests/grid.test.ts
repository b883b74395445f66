import { describe, expect, it } from 'vitest';
import { groupRows, nextCard, type Box } from '../src/lib/grid';
import type { Workspace } from '../src/lib/bindings/Workspace';

const w = (account: string, provider: Workspace['provider'], id: string): Workspace => ({
  account, provider, id, name: id, state: 'running', raw_state: 'running',
  hardware: { label: null, cpus: 2, memory_gb: 2, gpu: null }, created_at: null, links: [], actions: [], details: {}, error: null,
    started_at: null, rate: null, currency: null, rate_source: 'unknown', spent: null, spent_estimated: false, stops_at: null, idle_stop_minutes: null,
});
const list = [w('zeta', 'aether', 'z1'), w('acme', 'exalsius', 'a1'), w('zeta', 'exalsius', 'z2'), w('acme', 'aether', 'a2')];
const key = (x: Workspace) => x.id;

describe('groupRows', () => {
  it('without grouping keeps the given order and adds no headers', () => {
    expect(groupRows(list, 'none', key).map((r) => r.key)).toEqual(['z1', 'a1', 'z2', 'a2']);
  });

  it('by account puts a header before each group, groups by name, cards in the given order', () => {
    const rows = groupRows(list, 'account', key);
    expect(rows.map((r) => (r.kind === 'group' ? `# ${r.label}` : r.key))).toEqual(['# acme', 'a1', 'a2', '# zeta', 'z1', 'z2']);
    expect(rows.filter((r) => r.kind === 'card').every((r) => r.kind === 'card' && r.workspace.account === r.group)).toBe(true);
  });

  it('by provider groups on the provider id', () => {
    const rows = groupRows(list, 'provider', key);
    expect(rows.map((r) => (r.kind === 'group' ? `# ${r.label}` : r.key))).toEqual(['# aether', 'z1', 'a2', '# exalsius', 'a1', 'z2']);
  });

  it('header keys never collide with card keys', () => {
    const rows = groupRows([w('a1', 'aether', 'a1')], 'account', key);
    expect(new Set(rows.map((r) => r.key)).size).toBe(2);
  });
});

describe('nextCard', () => {
  // Two groups: a full row of three, then (below a header) a row of two.
  const boxes: Box[] = [
    { top: 0, left: 0 }, { top: 0, left: 300 }, { top: 0, left: 600 },
    { top: 200, left: 0 }, { top: 200, left: 300 },
  ];

  it('left and right follow reading order, across rows and groups, and stop at the ends', () => {
    expect(nextCard(boxes, 2, 'ArrowRight')).toBe(3);
    expect(nextCard(boxes, 3, 'ArrowLeft')).toBe(2);
    expect(nextCard(boxes, 4, 'ArrowRight')).toBe(4);
    expect(nextCard(boxes, 0, 'ArrowLeft')).toBe(0);
  });

  it('down goes to the next row, to the closest column', () => {
    expect(nextCard(boxes, 1, 'ArrowDown')).toBe(4);
    expect(nextCard(boxes, 2, 'ArrowDown'), 'no third column below: the nearest one').toBe(4);
    expect(nextCard(boxes, 3, 'ArrowDown'), 'nothing below').toBe(3);
  });

  it('up goes to the row above, to the same column', () => {
    expect(nextCard(boxes, 4, 'ArrowUp')).toBe(1);
    expect(nextCard(boxes, 0, 'ArrowUp')).toBe(0);
  });
});
