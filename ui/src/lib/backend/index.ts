// The only module the components talk to. Nothing outside `lib/backend/` imports Tauri:
// in the desktop app the Tauri backend answers; in a plain browser (UI tests, `vite dev`)
// the in-memory demo backend does.
import type { Account } from '../bindings/Account';
import type { Action } from '../bindings/Action';
import type { AppInfo } from '../bindings/AppInfo';
import type { ErrorPayload } from '../bindings/ErrorPayload';
import type { FocusTarget } from '../bindings/FocusTarget';
import type { Form } from '../bindings/Form';
import type { LinkKind } from '../bindings/LinkKind';
import type { NewAccount } from '../bindings/NewAccount';
import type { ProviderInfo } from '../bindings/ProviderInfo';
import type { Refreshed } from '../bindings/Refreshed';
import type { Settings } from '../bindings/Settings';
import type { Snapshot } from '../bindings/Snapshot';
import type { SshInclude } from '../bindings/SshInclude';
import type { StateChange } from '../bindings/StateChange';
import type { Workspace } from '../bindings/Workspace';

export type Unsubscribe = () => void;

export interface Backend {
  appInfo(): Promise<AppInfo>;
  snapshot(): Promise<Snapshot>;
  refresh(): Promise<void>;
  providers(): Promise<ProviderInfo[]>;
  accounts(): Promise<Account[]>;
  addAccount(account: NewAccount): Promise<void>;
  /** Adds an account by signing in through the system browser (providers with `browser_sign_in`). */
  signInAccount(account: NewAccount): Promise<void>;
  /** Signs an existing account in again through the browser. */
  signInAgain(name: string): Promise<void>;
  /** Deletes the account's tokens (revoking them where possible); returns a warning, if any. */
  signOut(name: string): Promise<string | null>;
  /** Changes an account's base URL (null: the provider's default) and options, after one check call with them. */
  editAccount(name: string, baseUrl: string | null, options: Record<string, string>, credentials?: Record<string, string> | null): Promise<void>;
  /** Replaces an account's pasted credentials after one check call with them; the old ones stay if it fails. */
  changeCredentials(name: string, credentials: Record<string, string>): Promise<void>;
  /** The line Hangar would add to the user's SSH config, and that file. */
  sshInclude(): Promise<SshInclude>;
  removeAccount(name: string): Promise<void>;
  testAccount(name: string): Promise<void>;
  createForm(account: string, selected: Record<string, string>): Promise<Form>;
  createWorkspace(account: string, name: string, values: Record<string, string>): Promise<Workspace>;
  act(account: string, id: string, action: Action): Promise<void>;
  /** Fails with code `consent_needed` while an IDE link's SSH alias waits for the user's answer about `~/.ssh/config`. */
  open(account: string, id: string, kind: LinkKind): Promise<string>;
  updateForm(account: string, id: string): Promise<Form>;
  updateWorkspace(account: string, id: string, values: Record<string, string>): Promise<void>;
  settings(): Promise<Settings>;
  saveSettings(settings: Settings): Promise<void>;
  /** What is shown changed. */
  onSnapshot(cb: (s: Snapshot) => void): Unsubscribe;
  /** A refresh changed nothing that is shown: only when it happened, and each account's last success. */
  onRefreshed(cb: (r: Refreshed) => void): Unsubscribe;
  onStateChange(cb: (c: StateChange) => void): Unsubscribe;
  /** The settings changed (saved here, paused from the tray, a new session). */
  onSettings(cb: (s: Settings) => void): Unsubscribe;
  onSessionChanged(cb: (demo: boolean) => void): Unsubscribe;
  /** A `hangar://open` link asked for this card. */
  onFocusRequest(cb: (t: FocusTarget) => void): Unsubscribe;
  /** Something the user should read (a link that could not be followed). */
  onNotice(cb: (message: string) => void): Unsubscribe;
  /** Replays a link the app was started with, once the window listens. */
  takePendingLink(): Promise<void>;
}

/** An error from the core, with the stable code the UI switches on. */
export class BackendError extends Error {
  code: string;
  field: string | null;
  retryAfterSecs: number | null;
  constructor(p: ErrorPayload) {
    super(p.message);
    this.code = p.code;
    this.field = p.field;
    this.retryAfterSecs = p.retry_after_secs;
  }
}

export function toBackendError(e: unknown): BackendError {
  if (e instanceof BackendError) return e;
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) return new BackendError(e as ErrorPayload);
  return new BackendError({ code: 'internal', message: String(e), field: null, retry_after_secs: null });
}

let chosen: Promise<Backend> | null = null;

export function backend(): Promise<Backend> {
  if (!chosen) {
    chosen =
      '__TAURI_INTERNALS__' in window
        ? import('./tauri').then((m) => m.tauriBackend())
        : import('./memory').then((m) => m.memoryBackend());
  }
  return chosen;
}
