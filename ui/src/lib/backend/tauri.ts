import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { type Backend, type Unsubscribe, toBackendError } from './index';
import { commands } from '../bindings/commands';
import type { Snapshot } from '../bindings/Snapshot';
import type { StateChange } from '../bindings/StateChange';
import type { FocusTarget } from '../bindings/FocusTarget';
import type { Refreshed } from '../bindings/Refreshed';
import type { Settings } from '../bindings/Settings';
import { EVENTS } from '../bindings/events';

async function call(cmd: string, args: Record<string, unknown>): Promise<unknown> {
  try {
    return await invoke(cmd, args);
  } catch (e) {
    throw toBackendError(e);
  }
}

function subscribe<T>(event: string, cb: (payload: T) => void): Unsubscribe {
  const off = listen<T>(event, (e) => cb(e.payload));
  return () => void off.then((f) => f());
}

export function tauriBackend(): Backend {
  return {
    ...commands(call),
    onSnapshot: (cb) => subscribe<Snapshot>(EVENTS.snapshot, cb),
    onRefreshed: (cb) => subscribe<Refreshed>(EVENTS.refreshed, cb),
    onStateChange: (cb) => subscribe<StateChange>(EVENTS.stateChange, cb),
    onSettings: (cb) => subscribe<Settings>(EVENTS.settings, cb),
    onSessionChanged: (cb) => subscribe<boolean>(EVENTS.sessionChanged, cb),
    onFocusRequest: (cb) => subscribe<FocusTarget>(EVENTS.focusWorkspace, cb),
    onNotice: (cb) => subscribe<string>(EVENTS.notice, cb),
  };
}
