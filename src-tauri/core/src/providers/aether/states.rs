//! Aether's status strings → the normalized states, and which actions each allows.

use crate::model::{Action, WorkspaceState};

pub fn normalize(status: &str) -> WorkspaceState {
    match status {
        "creating" => WorkspaceState::Pending,
        "starting" => WorkspaceState::Starting,
        "running" => WorkspaceState::Running,
        "stopping" => WorkspaceState::Stopping,
        "stopped" => WorkspaceState::Stopped,
        "error" | "stop_failed" => WorkspaceState::Errored,
        _ => WorkspaceState::Unknown,
    }
}

pub fn actions(status: &str) -> Vec<Action> {
    match status {
        "running" | "stop_failed" => vec![Action::Stop, Action::Delete],
        "stopped" | "error" => vec![Action::Start, Action::Delete],
        "starting" | "stopping" => vec![],
        _ => vec![Action::Delete],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The status table of the contract (§5), row by row.
    #[test]
    fn every_documented_status_maps() {
        let table = [
            ("creating", WorkspaceState::Pending, vec![Action::Delete]),
            ("starting", WorkspaceState::Starting, vec![]),
            ("running", WorkspaceState::Running, vec![Action::Stop, Action::Delete]),
            ("stopping", WorkspaceState::Stopping, vec![]),
            ("stopped", WorkspaceState::Stopped, vec![Action::Start, Action::Delete]),
            ("error", WorkspaceState::Errored, vec![Action::Start, Action::Delete]),
            ("stop_failed", WorkspaceState::Errored, vec![Action::Stop, Action::Delete]),
            ("hibernating", WorkspaceState::Unknown, vec![Action::Delete]),
        ];
        for (raw, state, acts) in table {
            assert_eq!(normalize(raw), state, "{raw}");
            assert_eq!(actions(raw), acts, "{raw}");
        }
    }
}
