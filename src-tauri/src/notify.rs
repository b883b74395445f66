//! Desktop notifications for the state changes a user cares about.

use hangar_core::watcher::StateChange;
use hangar_core::WorkspaceState;
use tauri_plugin_notification::NotificationExt;

pub fn state_changed(app: &tauri::AppHandle, change: &StateChange) {
    let (title, body) = match change.to {
        WorkspaceState::Running => ("Workspace running", format!("{} is running", change.name)),
        WorkspaceState::Stopped => ("Workspace stopped", format!("{} stopped", change.name)),
        WorkspaceState::Errored => ("Workspace failed", format!("{} failed ({})", change.name, change.raw_state)),
        WorkspaceState::Deleted => ("Workspace deleted", format!("{} was deleted", change.name)),
        _ => return,
    };
    if let Err(e) = app.notification().builder().title(title).body(body).show() {
        tracing::warn!(error = %e, "notification failed");
    }
}
