// The window's state: the watcher's latest snapshot plus what the user is doing right now.
import { backend, toBackendError, type Backend } from './backend';
import type { Action } from './bindings/Action';
import type { AppInfo } from './bindings/AppInfo';
import type { Settings } from './bindings/Settings';
import type { Snapshot } from './bindings/Snapshot';
import type { LinkKind } from './bindings/LinkKind';
import type { Workspace } from './bindings/Workspace';

export const keyOf = (w: Pick<Workspace, 'account' | 'id'>) => `${w.account}\u0000${w.id}`;

class Hangar {
  info = $state<AppInfo | null>(null);
  snapshot = $state<Snapshot | null>(null);
  /** Actions in flight, by workspace: a second click never sends a second call. */
  pending = $state<Record<string, Action | 'open'>>({});
  /** The last failed action's message, on the card it belongs to. */
  cardErrors = $state<Record<string, string>>({});
  loadError = $state<string | null>(null);
  settings = $state<Settings | null>(null);
  notice = $state<string | null>(null);
  focusRequest = $state<{ account: string; workspace: string; at: number } | null>(null);
  api: Backend | null = null;

  async start() {
    try {
      this.api = await backend();
      this.api.onSnapshot((s) => (this.snapshot = s));
      this.api.onSessionChanged(async () => {
        this.info = await this.api!.appInfo();
      });
      this.info = await this.api.appInfo();
      this.snapshot = await this.api.snapshot();
      this.applySettings(await this.api.settings());
      this.api.onNotice((m) => (this.notice = m));
      this.api.onFocusRequest((t) => (this.focusRequest = { ...t, at: Date.now() }));
      await this.api.takePendingLink();
    } catch (e) {
      this.loadError = toBackendError(e).message;
    }
  }

  async act(w: Workspace, action: Action) {
    const k = keyOf(w);
    if (this.pending[k] || !this.api) return;
    this.pending[k] = action;
    delete this.cardErrors[k];
    try {
      await this.api.act(w.account, w.id, action);
    } catch (e) {
      this.cardErrors[k] = toBackendError(e).message;
    } finally {
      delete this.pending[k];
    }
  }

  applySettings(s: Settings) {
    this.settings = s;
    if (s.theme === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = s.theme;
  }

  async saveSettings(s: Settings) {
    if (!this.api) return;
    await this.api.saveSettings(s);
    this.applySettings(s);
  }

  async open(w: Workspace, kind: LinkKind = 'browser') {
    const k = keyOf(w);
    if (this.pending[k] || !this.api) return;
    this.pending[k] = 'open';
    delete this.cardErrors[k];
    try {
      await this.api.open(w.account, w.id, kind);
    } catch (e) {
      this.cardErrors[k] = toBackendError(e).message;
    } finally {
      delete this.pending[k];
    }
  }
}

export const hangar = new Hangar();
