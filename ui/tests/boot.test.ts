// @vitest-environment happy-dom
// The desktop app hands the page its cached cards before it loads: the first render shows them,
// while the backend has not even answered yet.
import { describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import { fakeBackend, settings, snapshot, workspace } from './fake-backend';
import { BOOT_GLOBAL } from '../src/lib/bindings/bootGlobal';
import type { Boot } from '../src/lib/bindings/Boot';

const boot: Boot = {
  info: { demo: false, version: '1.0.0' },
  settings: { ...settings, theme: 'dark' },
  snapshot: snapshot({ stale: true, workspaces: [workspace({ id: 'cached-1', name: 'from the cache' })] }),
};
Object.defineProperty(window, BOOT_GLOBAL, { value: boot, configurable: true });

// A backend that never answers: whatever the first frame shows came with the page.
vi.mock('../src/lib/backend', async (original) => ({
  ...(await original<typeof import('../src/lib/backend')>()),
  backend: async () => fakeBackend({ snapshot: () => new Promise(() => {}), appInfo: () => new Promise(() => {}) }),
}));
const { default: App } = await import('../src/App.svelte');

describe('the first frame', () => {
  it('carries the cached cards and the theme handed over before the page loaded', () => {
    const app = mount(App, { target: document.body });
    flushSync();
    const cards = document.querySelectorAll('[data-testid=workspace-card]');
    expect(cards.length, 'cards in the first render').toBe(1);
    expect(cards[0].textContent).toContain('from the cache');
    expect(document.querySelector('[data-testid=loading]'), 'no loading screen').toBeNull();
    expect(document.documentElement.dataset.theme).toBe('dark');
    unmount(app);
  });
});
