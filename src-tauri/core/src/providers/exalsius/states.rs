//! `Workspace.workspace_status` (contract §5) → the normalized states, and what each allows.

use crate::model::{Action, WorkspaceState};

pub fn normalize(status: &str) -> WorkspaceState {
    match status {
        "PENDING" => WorkspaceState::Pending,
        "RUNNING" => WorkspaceState::Running,
        "STOPPED" => WorkspaceState::Stopped,
        // DELETED is shown while the asynchronous deletion runs; the workspace then disappears
        // (404), which is what "deleted" means to Hangar.
        "DELETED" => WorkspaceState::Deleting,
        "FAILED" => WorkspaceState::Errored,
        // The official client rejects anything else; Hangar shows it instead of failing.
        _ => WorkspaceState::Unknown,
    }
}

/// Stop works only for some templates (contract §4.5); the server refuses the others.
pub fn actions(status: &str) -> Vec<Action> {
    match status {
        "PENDING" => vec![Action::Delete],
        "RUNNING" => vec![Action::Stop, Action::Delete],
        "STOPPED" => vec![Action::Start, Action::Delete],
        "DELETED" => vec![],
        _ => vec![Action::Delete],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;

    #[test]
    fn every_workspace_status_maps() {
        let table = [
            ("PENDING", WorkspaceState::Pending, vec![Delete]),
            ("RUNNING", WorkspaceState::Running, vec![Stop, Delete]),
            ("STOPPED", WorkspaceState::Stopped, vec![Start, Delete]),
            ("DELETED", WorkspaceState::Deleting, vec![]),
            ("FAILED", WorkspaceState::Errored, vec![Delete]),
            // Lower case and missing values are not in the enum (contract §10).
            ("running", WorkspaceState::Unknown, vec![Delete]),
            ("", WorkspaceState::Unknown, vec![Delete]),
        ];
        for (raw, state, acts) in table {
            assert_eq!(normalize(raw), state, "{raw}");
            assert_eq!(actions(raw), acts, "{raw}");
        }
    }

    #[test]
    fn pending_and_deleted_are_polled_fast() {
        assert!(normalize("PENDING").is_transitional());
        assert!(normalize("DELETED").is_transitional());
        for raw in ["RUNNING", "STOPPED", "FAILED"] {
            assert!(!normalize(raw).is_transitional(), "{raw}");
        }
    }
}
