// @vitest-environment happy-dom
// The card's IDE button (the preferred installed IDE, a chooser for the others, the choice
// remembered) and "Forward a port" (remote port → http://127.0.0.1:LOCAL with Open and Stop).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import { fakeBackend, settings, settle, workspace } from './fake-backend';
import { BackendError, type Backend } from '../src/lib/backend';
import { ErrorCodes } from '../src/lib/bindings/errorCodes';
import type { Workspace } from '../src/lib/bindings/Workspace';

const current: { api: Backend } = { api: fakeBackend() };
vi.mock('../src/lib/backend', async (original) => ({
  ...(await original<typeof import('../src/lib/backend')>()),
  backend: async () => current.api,
}));
const { default: WorkspaceCard } = await import('../src/lib/components/WorkspaceCard.svelte');
const { hangar } = await import('../src/lib/store.svelte');
const { ides } = await import('../src/lib/ides.svelte');

const alias = 'hangar-acme-train-00ff00ff';
const withAlias = (over: Partial<Workspace> = {}) =>
  workspace({
    links: [
      { kind: 'vscode', url: `vscode://vscode-remote/ssh-remote+${alias}/workspace`, label: null, ssh_alias: alias },
      { kind: 'cursor', url: `cursor://vscode-remote/ssh-remote+${alias}/workspace`, label: null, ssh_alias: alias },
    ],
    actions: ['stop'],
    ...over,
  });

let mounted: ReturnType<typeof mount> | null = null;
async function card(w: Workspace): Promise<HTMLElement> {
  mounted = mount(WorkspaceCard, { target: document.body, props: { workspace: w, onDelete: () => {}, onEdit: () => {} } });
  await settle();
  flushSync();
  return document.querySelector<HTMLElement>('[data-testid=workspace-card]')!;
}
// The card's action buttons (its name is a button too: it opens the details).
const buttons = (el: HTMLElement) => [...el.querySelectorAll('button:not([data-testid=card-name])')].map((b) => b.textContent?.trim());
const button = (el: HTMLElement, name: string) => [...el.querySelectorAll('button')].find((b) => b.textContent?.trim() === name)!;

function use(api: Backend) {
  current.api = api;
  hangar.api = api;
  ides.installed = null;
  ides.refresh();
}

beforeEach(() => {
  Object.assign(hangar, { settings: structuredClone(settings), pending: {}, cardErrors: {} });
});
afterEach(() => {
  if (mounted) unmount(mounted);
  mounted = null;
});

describe('the IDE button', () => {
  const installed = [
    { kind: 'vscode' as const, name: 'VS Code' },
    { kind: 'zed' as const, name: 'Zed' },
    { kind: 'jetbrains' as const, name: 'JetBrains Gateway' },
  ];

  it('offers the installed IDEs only, the preferred one as the button', async () => {
    const api = fakeBackend({ installedIdes: vi.fn(async () => installed) });
    use(api);
    hangar.settings = { ...settings, preferred_ide: 'zed' };
    const el = await card(withAlias());
    expect(buttons(el)).toContain('Zed');
    expect(buttons(el)).not.toContain('Cursor');
    const chooser = el.querySelector<HTMLSelectElement>('[data-testid=ide-chooser]')!;
    expect([...chooser.options].map((o) => o.textContent)).toEqual(['Other IDE…', 'VS Code', 'JetBrains Gateway']);
    button(el, 'Zed').click();
    await settle();
    expect(api.openWorkspace).toHaveBeenCalledWith('acme', 'w1', 'zed');
  });

  it('opens the chosen IDE and remembers it as the preferred one', async () => {
    const api = fakeBackend({ installedIdes: vi.fn(async () => installed) });
    use(api);
    const el = await card(withAlias());
    expect(buttons(el)[0]).toBe('VS Code');
    const chooser = el.querySelector<HTMLSelectElement>('[data-testid=ide-chooser]')!;
    chooser.value = 'jetbrains';
    chooser.dispatchEvent(new Event('change', { bubbles: true }));
    await settle();
    expect(api.openWorkspace).toHaveBeenCalledWith('acme', 'w1', 'jetbrains');
    expect(api.saveSettings).toHaveBeenCalledWith(expect.objectContaining({ preferred_ide: 'jetbrains' }));
  });

  it('falls back to the workspace’s own IDE links when none is found installed', async () => {
    use(fakeBackend({ installedIdes: vi.fn(async () => []) }));
    const el = await card(withAlias());
    expect(buttons(el)).toEqual(expect.arrayContaining(['VS Code', 'Cursor']));
    expect(el.querySelector('[data-testid=ide-chooser]')).toBeNull();
  });
});

describe('Forward a port', () => {
  it('asks for the remote port and shows the local address with Open and Stop', async () => {
    const api = fakeBackend();
    use(api);
    const el = await card(withAlias());
    button(el, 'Forward a port').click();
    flushSync();
    const input = el.querySelector<HTMLInputElement>('[data-testid=remote-port]')!;
    input.value = '8888';
    input.dispatchEvent(new Event('input'));
    el.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await settle();
    expect(api.startForward).toHaveBeenCalledWith('acme', 'w1', 8888, null);
    const row = el.querySelector<HTMLElement>('[data-testid=forward]')!;
    expect(row.textContent).toContain('http://127.0.0.1:40000');
    button(row, 'Open').click();
    await settle();
    expect(api.openForward).toHaveBeenCalledWith(1);
    button(row, 'Stop').click();
    await settle();
    expect(api.stopForward).toHaveBeenCalledWith(1);
    expect(el.querySelector('[data-testid=forward]')).toBeNull();
  });

  it('says why a forward failed, and refuses a port that is none', async () => {
    const api = fakeBackend({
      startForward: vi.fn(async () => {
        throw new BackendError({ code: ErrorCodes.Unavailable, message: 'ssh could not forward port 9: Permission denied (publickey).', field: null, retry_after_secs: null });
      }),
    });
    use(api);
    const el = await card(withAlias());
    button(el, 'Forward a port').click();
    flushSync();
    const input = el.querySelector<HTMLInputElement>('[data-testid=remote-port]')!;
    const submit = async (v: string) => {
      input.value = v;
      input.dispatchEvent(new Event('input'));
      el.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
      await settle();
    };
    await submit('70000');
    expect(api.startForward).not.toHaveBeenCalled();
    expect(el.querySelector('[role=alert]')?.textContent).toContain('1 to 65535');
    await submit('9');
    expect(el.querySelector('[role=alert]')?.textContent).toContain('Permission denied');
  });

  it('is not offered on a stopped workspace or one without an SSH alias', async () => {
    use(fakeBackend());
    expect(buttons(await card(withAlias({ state: 'stopped', actions: ['start'] })))).not.toContain('Forward a port');
    unmount(mounted!);
    mounted = null;
    expect(buttons(await card(workspace({ links: [{ kind: 'browser', url: 'https://x.test/', label: null }] })))).not.toContain('Forward a port');
    unmount(mounted!);
    mounted = null;
    // The demo clouds run no SSH servers.
    hangar.info = { demo: true, version: 'test' };
    expect(buttons(await card(withAlias()))).not.toContain('Forward a port');
    hangar.info = null;
  });
});
