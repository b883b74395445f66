// A Backend whose every call is recorded and answers what a test sets (no Tauri, no demo data).
import { vi } from 'vitest';
import type { Backend } from '../src/lib/backend';
import type { Settings } from '../src/lib/bindings/Settings';
import { settingsDefaults } from '../src/lib/bindings/settingsDefaults';
import type { Snapshot } from '../src/lib/bindings/Snapshot';
import type { Workspace } from '../src/lib/bindings/Workspace';

export const settings: Settings = settingsDefaults;

export function workspace(over: Partial<Workspace> = {}): Workspace {
  return {
    account: 'acme', provider: 'aether', id: 'w1', name: 'train · w1', state: 'running', raw_state: 'running',
    hardware: { label: null, cpus: 2, memory_gb: 4, gpu: null }, created_at: null, links: [], actions: [], details: {}, error: null,
    started_at: null, rate: null, currency: null, rate_source: 'unknown', spent: null, spent_estimated: false, stops_at: null, idle_stop_minutes: null, ...over,
  };
}

export function snapshot(over: Partial<Snapshot> = {}): Snapshot {
  return { workspaces: [], failures: [], accounts: [], stale: false, refreshed_at: null, totals: { running: 0, gpus: 0, unpriced: 0, spend: [], accounts: {} }, ...over };
}

export function fakeBackend(over: Partial<Backend> = {}): Backend {
  const none = () => () => {};
  return {
    appInfo: vi.fn(async () => ({ demo: false, version: 'test' })),
    snapshot: vi.fn(async () => snapshot()),
    refresh: vi.fn(async () => {}),
    providers: vi.fn(async () => []),
    accounts: vi.fn(async () => []),
    addAccount: vi.fn(async () => {}),
    signInAccount: vi.fn(async () => {}),
    signInAgain: vi.fn(async () => {}),
    signOut: vi.fn(async () => null),
    editAccount: vi.fn(async () => {}),
    changeCredentials: vi.fn(async () => {}),
    sshInclude: vi.fn(async () => ({ line: 'Include "/home/t/.ssh/hangar/config"', file: '/home/t/.ssh/config' })),
    removeAccount: vi.fn(async () => {}),
    testAccount: vi.fn(async () => {}),
    createForm: vi.fn(async () => ({ fields: [] })),
    createWorkspace: vi.fn(async () => workspace()),
    workspaceAction: vi.fn(async () => {}),
    openWorkspace: vi.fn(async () => 'https://example.test/'),
    updateForm: vi.fn(async () => ({ fields: [] })),
    updateWorkspace: vi.fn(async () => {}),
    settings: vi.fn(async () => structuredClone(settings)),
    saveSettings: vi.fn(async () => {}),
    onSnapshot: vi.fn(none),
    onRefreshed: vi.fn(none),
    onStateChange: vi.fn(none),
    onSettings: vi.fn(none),
    onSessionChanged: vi.fn(none),
    onFocusRequest: vi.fn(none),
    onNotice: vi.fn(none),
    takePendingLink: vi.fn(async () => {}),
    workspaceDetails: vi.fn(async (account: string, id: string) => ({
      ...workspace({ account, id }), timeline: [], ssh_alias: null, ssh_command: null, spent_today: null, spent_week: null, raw: null,
    })),
    installedIdes: vi.fn(async () => []),
    startForward: vi.fn(async (account: string, id: string, remotePort: number) => ({ id: 1, account, workspace_id: id, remote_port: remotePort, local_port: 40000, url: 'http://127.0.0.1:40000' })),
    stopForward: vi.fn(async () => {}),
    forwards: vi.fn(async () => []),
    openForward: vi.fn(async () => 'http://127.0.0.1:40000'),
    ...over,
  };
}

/** Lets pending promises and effects run. */
export async function settle() {
  const { flushSync } = await import('svelte');
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 0));
    flushSync();
  }
}
