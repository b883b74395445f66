// @vitest-environment happy-dom
// The header's totals, the details panel, the palette and the live region, over a fake backend:
// each reads what the core sends and acts through the same calls as the buttons.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mount, unmount } from 'svelte';
import { fakeBackend, settle, snapshot, workspace } from './fake-backend';
import { BackendError, type Backend } from '../src/lib/backend';
import { ErrorCodes } from '../src/lib/bindings/errorCodes';
import type { StateChange } from '../src/lib/bindings/StateChange';

const current: { api: Backend } = { api: fakeBackend() };
vi.mock('../src/lib/backend', async (original) => ({
  ...(await original<typeof import('../src/lib/backend')>()),
  backend: async () => current.api,
}));
const { default: App } = await import('../src/App.svelte');
const { hangar } = await import('../src/lib/store.svelte');

let app: ReturnType<typeof mount> | null = null;
const byTestId = (id: string) => document.querySelector<HTMLElement>(`[data-testid=${id}]`);

async function start(api: Backend) {
  current.api = api;
  app = mount(App, { target: document.body });
  await settle();
}

beforeEach(() => {
  Object.assign(hangar, { snapshot: null, loadError: null, notice: null, consent: null, info: null, settings: null, api: null, details: null, announcement: '' });
});
afterEach(() => {
  if (app) unmount(app);
  app = null;
});

const totals = {
  running: 3, gpus: 9, unpriced: 1, accounts: {},
  spend: [
    { currency: 'USD', per_hour: 14.2, today: 61.2, week: 0, month: 0, estimated: false },
    { currency: 'credits', per_hour: 4.5, today: 12, week: 0, month: 0, estimated: false },
  ],
};

describe('the header line', () => {
  it('shows the core’s totals, one part per unit', async () => {
    await start(fakeBackend({ snapshot: async () => snapshot({ workspaces: [workspace()], totals }) }));
    expect(byTestId('totals')?.textContent).toBe('3 running · 9 GPUs · ≈ $14.20/h · today ≈ $61 · ≈ 4.5 credits/h · today ≈ 12 credits · 1 without a rate');
  });

  it('waits for a fresh snapshot rather than add up the cache', async () => {
    await start(fakeBackend({ snapshot: async () => snapshot({ workspaces: [workspace()], totals, stale: true }) }));
    expect(byTestId('totals')).toBeNull();
  });
});

describe('the details panel', () => {
  it('opens with Enter on a card, asks the core for that workspace and shows who caused each change', async () => {
    const api = fakeBackend({
      snapshot: async () => snapshot({ workspaces: [workspace()] }),
      workspaceDetails: vi.fn(async (account: string, id: string) => ({
        ...workspace({ account, id }), ssh_alias: 'hangar-acme-w1', ssh_command: 'ssh hangar-acme-w1', spent_today: null, spent_week: null, raw: { id },
        timeline: [{ at: '2026-12-04T10:00:00Z', from: 'running' as const, to: 'stopping' as const, cause: 'tray' as const }],
      })),
    });
    await start(api);
    byTestId('workspace-card')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    await vi.waitFor(() => expect(byTestId('timeline')?.textContent).toContain('Running → Stopping, by the tray'));
    expect(api.workspaceDetails).toHaveBeenCalledWith('acme', 'w1');
    expect(byTestId('details-ssh-command')?.textContent).toBe('ssh hangar-acme-w1');
    expect(api.openWorkspace).not.toHaveBeenCalled();
  });

  it('shows the core’s error in place when the details cannot be had', async () => {
    await start(fakeBackend({
      snapshot: async () => snapshot({ workspaces: [workspace()] }),
      workspaceDetails: async () => { throw new BackendError({ code: ErrorCodes.NotFound, message: 'workspace w1 not found', field: null, retry_after_secs: null }); },
    }));
    hangar.showDetails(workspace());
    await vi.waitFor(() => expect(byTestId('details')?.querySelector('[role=alert]')?.textContent).toBe('workspace w1 not found'));
  });
});

describe('the palette', () => {
  it('opens with Ctrl+K and runs the chosen action through the backend', async () => {
    const api = fakeBackend({ snapshot: async () => snapshot({ workspaces: [workspace({ name: 'llm-train', actions: ['stop', 'delete'] })] }) });
    await start(api);
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'k', ctrlKey: true, bubbles: true }));
    const input = await vi.waitFor(() => {
      const el = byTestId('palette-input') as HTMLInputElement | null;
      if (!el) throw new Error('no palette yet');
      return el;
    });
    input.value = 'stop llm';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await settle();
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    await vi.waitFor(() => expect(api.workspaceAction).toHaveBeenCalledWith('acme', 'w1', 'stop'));
    await settle();
    expect(byTestId('palette')).toBeNull();
  });
});

describe('the live region', () => {
  it('says each state change politely', async () => {
    let emit: (c: StateChange) => void = () => {};
    await start(fakeBackend({ onStateChange: (cb) => ((emit = cb), () => {}) }));
    emit({ account: 'acme', id: 'w1', name: 'train · w1', from: 'running', to: 'errored', raw_state: 'failed', reason: 'quota exceeded', gpu: false, at: '2026-12-04T10:00:00Z' });
    await settle();
    const live = byTestId('announcer')!;
    expect(live.getAttribute('aria-live')).toBe('polite');
    expect(live.textContent).toBe('train · w1 is now Errored: quota exceeded');
  });
});

describe('the rate table in Settings', () => {
  it('shows the core’s refusal of a GPU price on that GPU’s row', async () => {
    const settings = { ...structuredClone((await import('../src/lib/bindings/settingsDefaults')).settingsDefaults) };
    settings.rates.gpu_per_hour = { H100: 2.49 };
    await start(fakeBackend({
      settings: async () => structuredClone(settings),
      saveSettings: async () => { throw new BackendError({ code: ErrorCodes.InvalidInput, message: 'rates.gpu_per_hour.H100: refused', field: 'rates.gpu_per_hour.H100', retry_after_secs: null }); },
    }));
    byTestId('open-settings')!.click();
    const save = await vi.waitFor(() => {
      const el = byTestId('settings-save');
      if (!el) throw new Error('no settings yet');
      return el;
    });
    save.click();
    await vi.waitFor(() => expect(byTestId('rates')?.querySelector('[role=alert]')?.textContent).toBe('rates.gpu_per_hour.H100: refused'));
    expect(byTestId('rates')!.querySelector('[aria-label="Price per hour of GPU kind 1"]')?.getAttribute('aria-invalid')).toBe('true');
    expect(byTestId('settings')).not.toBeNull();
  });
});
