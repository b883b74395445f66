// The only module the components talk to. Nothing outside `lib/backend/` imports Tauri:
// in the desktop app the Tauri backend answers; in a plain browser (UI tests, `vite dev`)
// the in-memory demo backend does.
import type { Boot } from '../bindings/Boot';
import { BOOT_GLOBAL } from '../bindings/bootGlobal';
import type { Commands } from '../bindings/commands';
import type { ErrorCode } from '../bindings/ErrorCode';
import { ErrorCodes } from '../bindings/errorCodes';
import type { ErrorPayload } from '../bindings/ErrorPayload';
import type { FocusTarget } from '../bindings/FocusTarget';
import type { Refreshed } from '../bindings/Refreshed';
import type { Settings } from '../bindings/Settings';
import type { Snapshot } from '../bindings/Snapshot';
import type { StateChange } from '../bindings/StateChange';

export type Unsubscribe = () => void;

/** The commands the core answers (generated from src-tauri/src/ipc.rs) and the events it sends. */
export interface Backend extends Commands {
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
}

/** An error from the core, with the stable code the UI switches on. */
export class BackendError extends Error {
  code: ErrorCode;
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
  return new BackendError({ code: ErrorCodes.Internal, message: String(e), field: null, retry_after_secs: null });
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

/** What the desktop app handed the page before it loaded: enough for the first frame to carry
 * the cached cards without waiting on IPC or on the backend module. Null in a plain browser. */
export function bootData(): Boot | null {
  return (window as unknown as Record<string, Boot | undefined>)[BOOT_GLOBAL] ?? null;
}
