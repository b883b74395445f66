//! The user's preferences, in `settings.json` beside the account list.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::budget::{AutoStop, Budgets};
use crate::cost::RateTable;
use crate::model::LinkKind;

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

impl NotificationSettings {
    pub const GPU_REMINDER_BOUNDS: Bounds = Bounds { min: 10, max: 7 * 24 * 60 };
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
    /// The user's prices, for vendors that report none.
    pub rates: RateTable,
    /// Spending limits (a notification at 80 % and at 100 %).
    pub budgets: Budgets,
    /// Opt-in: stop GPU workspaces that have run too long.
    pub auto_stop: AutoStop,
    /// The IDE a card's secondary button opens; `None` until the user picks one.
    pub preferred_ide: Option<LinkKind>,
}

impl Settings {
    /// The same settings with every bounded value moved inside its bounds.
    pub fn clamped(self) -> Settings {
        let reminder = self.notifications.gpu_reminder_minutes;
        Settings {
            refresh: self.refresh.clamped(),
            notifications: NotificationSettings {
                gpu_reminder_minutes: reminder.map(|m| NotificationSettings::GPU_REMINDER_BOUNDS.clamp(m)),
                ..self.notifications
            },
            ..self
        }
    }
}

/// The smallest and the largest value a setting takes, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Bounds {
    pub min: u32,
    pub max: u32,
}

impl Bounds {
    pub fn clamp(self, value: u32) -> u32 {
        value.clamp(self.min, self.max)
    }

    pub fn contains(self, value: u32) -> bool {
        (self.min..=self.max).contains(&value)
    }
}

/// The bounds of every bounded setting, for the UI to show beside its inputs and check
/// before saving (the core clamps what it saves to the same bounds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SettingsLimits {
    pub transitional_secs: Bounds,
    pub settled_secs: Bounds,
    pub gpu_reminder_minutes: Bounds,
}

impl SettingsLimits {
    pub const ALL: SettingsLimits = SettingsLimits {
        transitional_secs: RefreshSettings::TRANSITIONAL_BOUNDS,
        settled_secs: RefreshSettings::SETTLED_BOUNDS,
        gpu_reminder_minutes: NotificationSettings::GPU_REMINDER_BOUNDS,
    };
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
    pub const TRANSITIONAL_BOUNDS: Bounds = Bounds { min: 2, max: 30 };
    pub const SETTLED_BOUNDS: Bounds = Bounds { min: 30, max: 3600 };

    /// The same settings with each interval moved inside its bounds.
    pub fn clamped(self) -> RefreshSettings {
        RefreshSettings {
            transitional_secs: Self::TRANSITIONAL_BOUNDS.clamp(self.transitional_secs),
            settled_secs: Self::SETTLED_BOUNDS.clamp(self.settled_secs),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_within_bounds_and_clamping_keeps_them() {
        let d = Settings::default();
        assert_eq!(d.clone().clamped(), d);
        let limits = SettingsLimits::ALL;
        assert!(limits.transitional_secs.contains(d.refresh.transitional_secs));
        assert!(limits.settled_secs.contains(d.refresh.settled_secs));
        assert!(d.notifications.gpu_reminder_minutes.is_some_and(|m| limits.gpu_reminder_minutes.contains(m)));
    }

    #[test]
    fn clamped_moves_every_bounded_value_inside() {
        let wild = Settings {
            refresh: RefreshSettings { transitional_secs: 0, settled_secs: 1_000_000 },
            notifications: NotificationSettings { gpu_reminder_minutes: Some(1), ..Default::default() },
            ..Default::default()
        };
        let c = wild.clamped();
        assert_eq!((c.refresh.transitional_secs, c.refresh.settled_secs), (2, 3600));
        assert_eq!(c.notifications.gpu_reminder_minutes, Some(10));
        let off = Settings {
            notifications: NotificationSettings { gpu_reminder_minutes: None, ..Default::default() },
            ..Default::default()
        };
        assert_eq!(off.clamped().notifications.gpu_reminder_minutes, None, "a reminder that is off stays off");
    }

    /// `settingsDefaults.ts`: the defaults and bounds above, as values the UI imports.
    #[test]
    fn export_settings_defaults_and_limits() -> Result<(), Box<dyn std::error::Error>> {
        let body = format!(
            "import type {{ Settings }} from './Settings';\n\
             import type {{ SettingsLimits }} from './SettingsLimits';\n\n\
             /** `Settings::default()`: what a window shows before it has the user's settings. */\n\
             export const settingsDefaults: Settings = {};\n\n\
             /** The bounds the core keeps saved settings in (`SettingsLimits::ALL`). */\n\
             export const settingsLimits: SettingsLimits = {};\n",
            serde_json::to_string_pretty(&Settings::default())?,
            serde_json::to_string_pretty(&SettingsLimits::ALL)?,
        );
        crate::bindings::write("settingsDefaults.ts", &body)?;
        Ok(())
    }
}
