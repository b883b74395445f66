import type { Settings } from './bindings/Settings';

/** The same defaults as `Settings::default()` in the core, for a window that has not loaded them yet. */
export function defaultSettings(): Settings {
  return {
    notifications: { running: true, stopped: true, errored: true, deleted: true, gpu_reminder_minutes: 240, paused: false },
    theme: 'system',
    launch_at_login: false,
    start_minimized: false,
    refresh: { transitional_secs: 2, settled_secs: 60 },
    ssh_include: 'ask',
  };
}
