//! The user's preferences, in `settings.json` beside the account list.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct NotificationSettings {
    pub running: bool,
    pub stopped: bool,
    pub errored: bool,
    pub deleted: bool,
    /// Remind when a GPU workspace has been running this long; `None` = off.
    pub gpu_reminder_minutes: Option<u32>,
    /// "Pause notifications" from the tray.
    pub paused: bool,
}

impl Default for NotificationSettings {
    fn default() -> Self {
        NotificationSettings {
            running: true,
            stopped: true,
            errored: true,
            deleted: true,
            gpu_reminder_minutes: Some(240),
            paused: false,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct Settings {
    pub notifications: NotificationSettings,
    pub theme: Theme,
    pub launch_at_login: bool,
    /// Start with only the tray icon (when the desktop has a tray).
    pub start_minimized: bool,
}
