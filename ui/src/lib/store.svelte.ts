// The window's state: the watcher's latest snapshot plus what the user is doing right now.
import { backend, bootData, toBackendError, type Backend } from './backend';
import type { Action } from './bindings/Action';
import type { AppInfo } from './bindings/AppInfo';
import { ErrorCodes } from './bindings/errorCodes';
import type { Settings } from './bindings/Settings';
import type { Snapshot } from './bindings/Snapshot';
import type { LinkKind } from './bindings/LinkKind';
import type { Workspace } from './bindings/Workspace';
import type { StateChange } from './bindings/StateChange';
import { stateLabel } from './format';

export const keyOf = (w: Pick<Workspace, 'account' | 'id'>) => `${w.account}\u0000${w.id}`;

/** An IDE link that waits for the user's answer about `~/.ssh/config`. */
export type ConsentRequest = { workspace: Workspace; kind: LinkKind };

const boot = bootData();

/** "train · w1 is now Stopped" (with the vendor's reason when it failed). */
export function changeAnnouncement(c: StateChange): string {
  return `${c.name} is now ${stateLabel(c.to)}${c.reason ? `: ${c.reason}` : ''}`;
}

class Hangar {
  // Replaced whole, never mutated in place: raw state keeps a thousand workspaces free of proxies.
  // The first values come with the page (the desktop app's cache), so the first frame has cards.
  info = $state.raw<AppInfo | null>(boot?.info ?? null);
  snapshot = $state.raw<Snapshot | null>(boot?.snapshot ?? null);
  /** When the snapshot's figures were taken: spend is carried forward from here (`money.spentNow`). */
  snapshotAt = $state(Date.now());
  /** Actions in flight, by workspace: a second click never sends a second call. */
  pending = $state<Record<string, Action | 'open'>>({});
  /** The last failed action's message, on the card it belongs to. */
  cardErrors = $state<Record<string, string>>({});
  loadError = $state<string | null>(null);
  settings = $state.raw<Settings | null>(boot?.settings ?? null);
  notice = $state<string | null>(null);
  consent = $state<ConsentRequest | null>(null);
  focusRequest = $state<{ account: string; workspace: string; at: number } | null>(null);
  /** The workspace whose details panel is open. */
  details = $state<{ account: string; id: string } | null>(null);
  /** The last state change, in words, for screen readers (a polite live region reads it). */
  announcement = $state('');
  api: Backend | null = null;

  constructor() {
    if (boot) this.applySettings(boot.settings);
  }

  async start() {
    try {
      this.api = await backend();
      this.api.onSnapshot((s) => {
        this.snapshot = s;
        this.snapshotAt = Date.now();
      });
      this.api.onStateChange((c) => (this.announcement = changeAnnouncement(c)));
      // Nothing shown changed: only the "refreshed" notes move (the cards stay as they are).
      this.api.onRefreshed((r) => {
        if (this.snapshot) this.snapshot = { ...this.snapshot, accounts: r.accounts, refreshed_at: r.at };
      });
      this.api.onSettings((s) => this.applySettings(s));
      this.api.onSessionChanged(async () => {
        this.info = await this.api!.appInfo();
      });
      this.info = await this.api.appInfo();
      this.snapshot = await this.api.snapshot();
      this.snapshotAt = Date.now();
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
      await this.api.workspaceAction(w.account, w.id, action);
    } catch (e) {
      this.cardErrors[k] = toBackendError(e).message;
    } finally {
      delete this.pending[k];
    }
  }

  showDetails(w: Pick<Workspace, 'account' | 'id'>) {
    this.details = { account: w.account, id: w.id };
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
      await this.api.openWorkspace(w.account, w.id, kind);
    } catch (e) {
      const err = toBackendError(e);
      if (err.code === ErrorCodes.ConsentNeeded) this.consent = { workspace: w, kind };
      else this.cardErrors[k] = err.message;
    } finally {
      delete this.pending[k];
    }
  }

  /** Saves the answer about `~/.ssh/config`; after "allow", opens the link that asked. */
  async answerConsent(allow: boolean) {
    const asked = this.consent;
    if (!asked || !this.settings) return;
    await this.saveSettings({ ...this.settings, ssh_include: allow ? 'allowed' : 'declined' });
    if (allow) {
      this.consent = null;
      await this.open(asked.workspace, asked.kind);
    }
  }
}

export const hangar = new Hangar();
