//! Strongly.ai's workspace `status` strings → the normalized states, and which actions each
//! allows. Deleting needs a stopped (or failed) workspace, resources change only while stopped.

use crate::model::{Action, WorkspaceState};

pub fn normalize(status: &str) -> WorkspaceState {
    match status.trim().to_ascii_lowercase().as_str() {
        "pending" => WorkspaceState::Pending,
        "running" => WorkspaceState::Running,
        "stopped" => WorkspaceState::Stopped,
        "failed" => WorkspaceState::Errored,
        // "Gone / being removed; not actionable": nothing left to wait for.
        "terminated" => WorkspaceState::Deleted,
        _ => WorkspaceState::Unknown,
    }
}

pub fn actions(status: &str) -> Vec<Action> {
    match normalize(status) {
        WorkspaceState::Running => vec![Action::Stop],
        WorkspaceState::Stopped => vec![Action::Start, Action::Update, Action::Delete],
        WorkspaceState::Errored => vec![Action::Start, Action::Delete],
        _ => vec![],
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The status table of the contract (§5), row by row, plus forward compatibility.
    #[test]
    fn every_documented_status_maps() {
        let table = [
            ("pending", WorkspaceState::Pending, vec![]),
            ("running", WorkspaceState::Running, vec![Action::Stop]),
            ("stopped", WorkspaceState::Stopped, vec![Action::Start, Action::Update, Action::Delete]),
            ("failed", WorkspaceState::Errored, vec![Action::Start, Action::Delete]),
            ("terminated", WorkspaceState::Deleted, vec![]),
            ("Running", WorkspaceState::Running, vec![Action::Stop]),
            ("hibernating", WorkspaceState::Unknown, vec![]),
            ("", WorkspaceState::Unknown, vec![]),
        ];
        for (raw, state, acts) in table {
            assert_eq!(normalize(raw), state, "state of '{raw}'");
            assert_eq!(actions(raw), acts, "actions of '{raw}'");
        }
    }

    #[test]
    fn only_pending_is_transitional() {
        assert!(normalize("pending").is_transitional());
        for s in ["running", "stopped", "failed", "terminated", "weird"] {
            assert!(!normalize(s).is_transitional(), "{s}");
        }
    }
}
