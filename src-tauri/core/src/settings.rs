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
    pub refresh: RefreshSettings,
    /// Whether Hangar may add one `Include` line for its managed SSH file to `~/.ssh/config`.
    pub ssh_include: SshIncludeConsent,
}

/// How often the watcher asks each account, in seconds; kept within the bounds below.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct RefreshSettings {
    /// While a workspace is starting, stopping or otherwise on its way somewhere.
    pub transitional_secs: u32,
    /// While everything is settled.
    pub settled_secs: u32,
}

impl RefreshSettings {
    pub const TRANSITIONAL_BOUNDS: (u32, u32) = (2, 30);
    pub const SETTLED_BOUNDS: (u32, u32) = (30, 3600);

    /// The same settings with each interval moved inside its bounds.
    pub fn clamped(self) -> RefreshSettings {
        let (tmin, tmax) = Self::TRANSITIONAL_BOUNDS;
        let (smin, smax) = Self::SETTLED_BOUNDS;
        RefreshSettings {
            transitional_secs: self.transitional_secs.clamp(tmin, tmax),
            settled_secs: self.settled_secs.clamp(smin, smax),
        }
    }
}

impl Default for RefreshSettings {
    fn default() -> Self {
        RefreshSettings { transitional_secs: 2, settled_secs: 60 }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum SshIncludeConsent {
    /// Not asked yet: the first IDE link that needs an SSH alias asks.
    #[default]
    Ask,
    Allowed,
    /// The user keeps `~/.ssh/config` to themselves; IDE links that need an alias explain how to include it by hand.
    Declined,
}
