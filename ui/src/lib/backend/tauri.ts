import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { type Backend, type Unsubscribe, toBackendError } from './index';
import type { Snapshot } from '../bindings/Snapshot';
import type { StateChange } from '../bindings/StateChange';
import type { FocusTarget } from '../bindings/FocusTarget';
import type { Refreshed } from '../bindings/Refreshed';
import type { Settings } from '../bindings/Settings';
import { EVENTS } from '../bindings/events';

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
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
    appInfo: () => call('app_info'),
    snapshot: () => call('snapshot'),
    refresh: () => call('refresh'),
    providers: () => call('providers'),
    accounts: () => call('accounts'),
    addAccount: (account) => call('add_account', { account }),
    signInAccount: (account) => call('sign_in_account', { account }),
    signInAgain: (name) => call('sign_in_again', { name }),
    signOut: (name) => call('sign_out', { name }),
    editAccount: (name, baseUrl, options, credentials) => call('edit_account', { name, baseUrl, options, credentials: credentials ?? null }),
    changeCredentials: (name, credentials) => call('change_credentials', { name, credentials }),
    sshInclude: () => call('ssh_include'),
    removeAccount: (name) => call('remove_account', { name }),
    testAccount: (name) => call('test_account', { name }),
    createForm: (account, selected) => call('create_form', { account, selected }),
    createWorkspace: (account, name, values) => call('create_workspace', { account, name, values }),
    act: (account, id, action) => call('workspace_action', { account, id, action }),
    open: (account, id, kind) => call('open_workspace', { account, id, kind }),
    updateForm: (account, id) => call('update_form', { account, id }),
    updateWorkspace: (account, id, values) => call('update_workspace', { account, id, values }),
    settings: () => call('settings'),
    saveSettings: (settings) => call('save_settings', { settings }),
    onSnapshot: (cb) => subscribe<Snapshot>(EVENTS.snapshot, cb),
    onRefreshed: (cb) => subscribe<Refreshed>(EVENTS.refreshed, cb),
    onStateChange: (cb) => subscribe<StateChange>(EVENTS.stateChange, cb),
    onSettings: (cb) => subscribe<Settings>(EVENTS.settings, cb),
    onSessionChanged: (cb) => subscribe<boolean>(EVENTS.sessionChanged, cb),
    onFocusRequest: (cb) => subscribe<FocusTarget>(EVENTS.focusWorkspace, cb),
    onNotice: (cb) => subscribe<string>(EVENTS.notice, cb),
    takePendingLink: () => call('take_pending_link'),
  };
}
