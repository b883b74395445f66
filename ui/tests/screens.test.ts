// @vitest-environment happy-dom
// Loading, empty, failed and filtered-out are different screens; the consent answer is saved
// before the link that asked is opened again.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mount, unmount } from 'svelte';
import { fakeBackend, settle, snapshot, workspace } from './fake-backend';
import { BackendError, type Backend } from '../src/lib/backend';
import { ErrorCodes } from '../src/lib/bindings/errorCodes';

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
  Object.assign(hangar, { snapshot: null, loadError: null, notice: null, consent: null, info: null, settings: null, api: null });
});
afterEach(() => {
  if (app) unmount(app);
  app = null;
});

describe('the window', () => {
  it('says it is loading until the first snapshot arrives', async () => {
    await start(fakeBackend({ snapshot: () => new Promise(() => {}) }));
    expect(byTestId('loading')).not.toBeNull();
    expect(byTestId('no-workspaces')).toBeNull();
  });

  it('keeps loading while the cache is empty and stale, then shows the empty screen', async () => {
    let publish: (s: ReturnType<typeof snapshot>) => void = () => {};
    await start(fakeBackend({ snapshot: async () => snapshot({ stale: true }), onSnapshot: (cb) => ((publish = cb), () => {}) }));
    expect(byTestId('loading')).not.toBeNull();
    publish(snapshot());
    await settle();
    expect(byTestId('loading')).toBeNull();
    expect(byTestId('no-workspaces')?.textContent).toContain('No workspaces yet.');
  });

  it('reports a failed start as an error, not as an empty list', async () => {
    await start(fakeBackend({ appInfo: async () => { throw new BackendError({ code: ErrorCodes.Internal, message: 'config unreadable', field: null, retry_after_secs: null }); } }));
    expect(document.querySelector('[role=alert]')?.textContent).toContain('Hangar could not start: config unreadable');
    expect(byTestId('no-workspaces')).toBeNull();
  });

  it('shows a failing account beside the other accounts’ cards', async () => {
    const failures = [{ account: 'team', error: { code: ErrorCodes.Unauthorized, message: 'answered 401', field: null, retry_after_secs: null } }];
    await start(fakeBackend({ snapshot: async () => snapshot({ workspaces: [workspace()], failures }) }));
    expect(byTestId('account-failure')?.textContent).toContain('team');
    expect(byTestId('account-failure')?.textContent).toContain('Fix credentials');
    expect(document.querySelectorAll('[data-testid=workspace-card]').length).toBe(1);
  });

  it('says so when a filter hides every card, keeping the cards mounted', async () => {
    await start(fakeBackend({ snapshot: async () => snapshot({ workspaces: [workspace(), workspace({ id: 'w2', name: 'web · w2' })] }) }));
    const search = document.querySelector<HTMLInputElement>('input[type=search]')!;
    search.value = 'nothing-like-this';
    search.dispatchEvent(new Event('input', { bubbles: true }));
    await settle();
    expect(byTestId('no-match')).not.toBeNull();
    const cards = [...document.querySelectorAll<HTMLElement>('[data-testid=workspace-card]')];
    expect(cards.map((c) => c.hidden)).toEqual([true, true]);
  });

  it('groups cards under headers that count what the filter shows', async () => {
    const list = [workspace({ account: 'acme' }), workspace({ account: 'acme', id: 'w2', name: 'gpu · w2' }), workspace({ account: 'zeta', id: 'w3' })];
    await start(fakeBackend({ snapshot: async () => snapshot({ workspaces: list }) }));
    byTestId('group-by-account')!.click();
    await settle();
    expect(byTestId('group-by-account')?.getAttribute('aria-pressed')).toBe('true');
    await settle();
    const headers = () => [...document.querySelectorAll<HTMLElement>('[data-testid=group-header]')].filter((h) => !h.hidden).map((h) => h.textContent?.replace(/\s+/g, ' ').trim());
    expect(headers()).toEqual(['acme 2', 'zeta 1']);
    const search = document.querySelector<HTMLInputElement>('input[type=search]')!;
    search.value = 'gpu';
    search.dispatchEvent(new Event('input', { bubbles: true }));
    await settle();
    expect(headers()).toEqual(['acme 1']);
  });
});

describe('consent to include Hangar’s SSH file', () => {
  const needsConsent = () => new BackendError({ code: ErrorCodes.ConsentNeeded, message: 'would add a line', field: null, retry_after_secs: null });

  it('is asked for by the error code, then allowed: saved first, then the link opens', async () => {
    const calls: string[] = [];
    let allowed = false;
    const api = fakeBackend({
      openWorkspace: async () => {
        calls.push('open');
        if (!allowed) throw needsConsent();
        return 'vscode://x';
      },
      saveSettings: async (s) => {
        calls.push(`save ${s.ssh_include}`);
        allowed = s.ssh_include === 'allowed';
      },
    });
    await start(api);
    const w = workspace();
    await hangar.open(w, 'vscode');
    expect(hangar.consent).toEqual({ workspace: w, kind: 'vscode' });
    expect(hangar.cardErrors['acme\u0000w1']).toBeUndefined();
    await hangar.answerConsent(true);
    expect(calls).toEqual(['open', 'save allowed', 'open']);
    expect(hangar.consent).toBeNull();
    expect(hangar.settings?.ssh_include).toBe('allowed');
  });

  it('declined: saved, nothing opened, the request stays to show the line', async () => {
    const api = fakeBackend({ openWorkspace: vi.fn(async () => { throw needsConsent(); }) });
    await start(api);
    await hangar.open(workspace(), 'vscode');
    await hangar.answerConsent(false);
    expect(api.saveSettings).toHaveBeenCalledWith(expect.objectContaining({ ssh_include: 'declined' }));
    expect(api.openWorkspace).toHaveBeenCalledTimes(1);
    expect(hangar.consent).not.toBeNull();
  });

  it('shows the exact line and file the core would change', async () => {
    await start(fakeBackend({ openWorkspace: async () => { throw needsConsent(); } }));
    await hangar.open(workspace(), 'vscode');
    // The dialog loads on first use, then asks the core.
    await vi.waitFor(() => expect(byTestId('consent-line')?.textContent).toBe('Include "/home/t/.ssh/hangar/config"'));
    expect(byTestId('consent-file')?.textContent).toBe('/home/t/.ssh/config');
  });

  it('any other error stays on the card', async () => {
    await start(fakeBackend({ openWorkspace: async () => { throw new BackendError({ code: ErrorCodes.Conflict, message: 'not running', field: null, retry_after_secs: null }); } }));
    await hangar.open(workspace(), 'vscode');
    expect(hangar.consent).toBeNull();
    expect(hangar.cardErrors['acme\u0000w1']).toBe('not running');
  });
});
