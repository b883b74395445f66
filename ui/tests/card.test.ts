// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import WorkspaceCard from '../src/lib/components/WorkspaceCard.svelte';
import type { Workspace } from '../src/lib/bindings/Workspace';

const base: Workspace = {
  account: 'acme', provider: 'aether', id: 'b2c3d4e5', name: 'train · b2c3d4e5', state: 'running', raw_state: 'RUNNING_OK',
  hardware: { label: null, cpus: 8, memory_gb: 32, gpu: { kind: 'a100-80gb', count: 2 } }, created_at: null, links: [],
  actions: ['stop', 'delete'], details: {}, error: null,
    started_at: null, rate: null, currency: null, rate_source: 'unknown', spent: null, spent_estimated: false, stops_at: null, idle_stop_minutes: null,
};
let mounted: ReturnType<typeof mount> | null = null;

function card(over: Partial<Workspace> = {}, hidden = false): HTMLElement {
  mounted = mount(WorkspaceCard, { target: document.body, props: { workspace: { ...base, ...over }, hidden, onDelete: () => {}, onEdit: () => {} } });
  flushSync();
  return document.querySelector<HTMLElement>('[data-testid=workspace-card]')!;
}

afterEach(() => {
  if (mounted) unmount(mounted);
  mounted = null;
});

describe('WorkspaceCard', () => {
  it('shows the normalized state, with the provider’s raw state on hover', () => {
    const state = card().querySelector('[data-testid=state]')!;
    expect(state.textContent?.trim()).toBe('Running');
    expect(state.getAttribute('title')).toBe('Provider state: RUNNING_OK');
  });

  it('spins only while the workspace is in transition', () => {
    expect(card({ state: 'starting', raw_state: 'booting' }).querySelector('.spinner')).not.toBeNull();
    unmount(mounted!);
    mounted = null;
    expect(card({ state: 'stopped' }).querySelector('.spinner')).toBeNull();
  });

  it('puts GPU × count first, then CPU and memory', () => {
    const el = card();
    expect(el.querySelector('[data-testid=gpu]')?.textContent).toBe('2 × A100-80GB');
    expect(el.querySelector('.hw')?.textContent).toMatch(/2 × A100-80GB\s*8 CPU · 32 GB/);
  });

  it('shows no GPU line for a CPU-only workspace', () => {
    expect(card({ hardware: { label: null, cpus: 2, memory_gb: 4, gpu: null } }).querySelector('[data-testid=gpu]')).toBeNull();
  });

  it('offers only the actions the provider allows in this state', () => {
    const names = [...card().querySelectorAll('.actions button')].map((b) => b.textContent?.trim());
    expect(names).toEqual(['Stop', 'Delete']);
  });

  it('names each button after its workspace, visible word first', () => {
    const el = card();
    const labels = [...el.querySelectorAll('.actions button')].map((b) => b.getAttribute('aria-label'));
    const name = el.querySelector('[data-testid=card-name]')?.textContent?.trim();
    expect(labels).toEqual([`Stop ${name}`, `Delete ${name}`]);
  });

  it('stays in the document when filtered out, hidden', () => {
    expect(card({}, true).hidden).toBe(true);
  });

  it('shows the provider’s reason when errored', () => {
    expect(card({ state: 'errored', error: 'quota exceeded' }).textContent).toContain('Provider says: quota exceeded');
  });
});
