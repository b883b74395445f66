//! What the window needs for its first frame, handed to the page before it loads: the app's
//! info, the settings and the last known workspaces (the cache). With it the first frame carries
//! the cards; nothing waits on IPC or on loading the backend module. Never a secret: the snapshot
//! and settings are what the window shows anyway.

use serde::Serialize;
use ts_rs::TS;

use crate::model::AppInfo;
use crate::settings::Settings;
use crate::watcher::Snapshot;

/// The global the page reads synchronously as it starts.
pub const GLOBAL: &str = "__HANGAR_BOOT__";

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Boot {
    pub info: AppInfo,
    pub settings: Settings,
    pub snapshot: Snapshot,
}

impl Boot {
    /// A script that defines the global before any of the page's own scripts run. JSON is a
    /// JavaScript expression, so the serialized value is the script's whole payload.
    pub fn script(&self) -> String {
        let json = serde_json::to_string(self).unwrap_or_else(|_| "null".into());
        format!("Object.defineProperty(window, '{GLOBAL}', {{ value: Object.freeze({json}), configurable: true }});")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ProviderId, Workspace, WorkspaceState};

    fn workspace(name: &str) -> Workspace {
        Workspace { name: name.into(), ..Workspace::bare("a", ProviderId::ALL[0], "ws-1", WorkspaceState::Running) }
    }

    /// The page reads the global by this generated name (CI fails if the file drifts).
    #[test]
    fn export_the_global_name_for_the_page() {
        crate::bindings::write("bootGlobal.ts", &format!("export const BOOT_GLOBAL = '{GLOBAL}';\n")).unwrap();
    }

    #[test]
    fn the_script_defines_the_global_with_the_cached_cards() {
        let boot = Boot {
            info: AppInfo { demo: false, version: "1.0".into() },
            settings: Settings::default(),
            snapshot: Snapshot {
                workspaces: vec![workspace("</script><b>\u{2028}")],
                stale: true,
                ..Snapshot::default()
            },
        };
        let script = boot.script();
        assert!(script.starts_with("Object.defineProperty(window, '__HANGAR_BOOT__'"), "{script}");
        let json = script
            .strip_prefix("Object.defineProperty(window, '__HANGAR_BOOT__', { value: Object.freeze(")
            .and_then(|rest| rest.strip_suffix("), configurable: true });"))
            .expect("the script's frame");
        let back: serde_json::Value = serde_json::from_str(json).expect("the payload is JSON");
        assert_eq!(back["snapshot"]["workspaces"][0]["name"], "</script><b>\u{2028}");
        assert_eq!(back["snapshot"]["stale"], true);
    }
}
