import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { type Backend, type Unsubscribe, toBackendError } from './index';
import { commands } from '../bindings/commands';
import type { Snapshot } from '../bindings/Snapshot';
import type { StateChange } from '../bindings/StateChange';
import type { FocusTarget } from '../bindings/FocusTarget';

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
    onSnapshot: (cb) => subscribe<Snapshot>('snapshot', cb),
    onStateChange: (cb) => subscribe<StateChange>('state-change', cb),
    onSessionChanged: (cb) => subscribe<boolean>('session-changed', cb),
    onFocusRequest: (cb) => subscribe<FocusTarget>('focus-workspace', cb),
    onNotice: (cb) => subscribe<string>('notice', cb),
  };
}
