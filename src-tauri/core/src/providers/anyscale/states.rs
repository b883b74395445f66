//! Anyscale's `SessionState` (workspace row and cluster alike) → the normalized states, as
//! the SDK maps them (contract §4), and which actions each allows.

use crate::model::{Action, WorkspaceState};

pub fn normalize(state: &str) -> WorkspaceState {
    match state {
        "StartingUp" | "AwaitingStartup" | "AwaitingFileMounts" => WorkspaceState::Starting,
        "Running" => WorkspaceState::Running,
        "Updating" => WorkspaceState::Updating,
        "Stopping" | "Terminating" => WorkspaceState::Stopping,
        "Stopped" | "Terminated" => WorkspaceState::Stopped,
        "StartupErrored" | "UpdatingErrored" | "TerminatingErrored" | "StoppingErrored" => WorkspaceState::Errored,
        _ => WorkspaceState::Unknown,
    }
}

/// A cluster can be terminated while it is still coming up; renaming and the idle timeout
/// change only while it is terminated (the SDK's own precondition for `update`).
pub fn actions(state: &str) -> Vec<Action> {
    match state {
        "Running" => vec![Action::Stop, Action::Delete],
        "StartingUp" | "AwaitingStartup" | "AwaitingFileMounts" | "Updating" => vec![Action::Stop],
        "Stopping" | "Terminating" => vec![],
        "Stopped" | "Terminated" => vec![Action::Start, Action::Delete, Action::Update],
        "StartupErrored" => vec![Action::Start, Action::Stop, Action::Delete],
        "UpdatingErrored" | "TerminatingErrored" | "StoppingErrored" => {
            vec![Action::Stop, Action::Delete]
        }
        _ => vec![Action::Delete],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;

    /// The SessionState table of the contract (§4), row by row.
    #[test]
    fn every_session_state_maps() {
        let table = [
            ("StartingUp", WorkspaceState::Starting, vec![Stop]),
            ("AwaitingStartup", WorkspaceState::Starting, vec![Stop]),
            ("AwaitingFileMounts", WorkspaceState::Starting, vec![Stop]),
            ("Running", WorkspaceState::Running, vec![Stop, Delete]),
            ("Updating", WorkspaceState::Updating, vec![Stop]),
            ("Stopping", WorkspaceState::Stopping, vec![]),
            ("Terminating", WorkspaceState::Stopping, vec![]),
            ("Stopped", WorkspaceState::Stopped, vec![Start, Delete, Update]),
            ("Terminated", WorkspaceState::Stopped, vec![Start, Delete, Update]),
            ("StartupErrored", WorkspaceState::Errored, vec![Start, Stop, Delete]),
            ("UpdatingErrored", WorkspaceState::Errored, vec![Stop, Delete]),
            ("TerminatingErrored", WorkspaceState::Errored, vec![Stop, Delete]),
            ("StoppingErrored", WorkspaceState::Errored, vec![Stop, Delete]),
            // The SDK's upper-case names are not SessionStates: unknown, like a missing state.
            ("RUNNING", WorkspaceState::Unknown, vec![Delete]),
            ("", WorkspaceState::Unknown, vec![Delete]),
        ];
        for (raw, state, acts) in table {
            assert_eq!(normalize(raw), state, "{raw}");
            assert_eq!(actions(raw), acts, "{raw}");
        }
    }

    #[test]
    fn transitional_states_are_polled_fast() {
        for raw in ["StartingUp", "AwaitingStartup", "Updating", "Terminating", "Stopping"] {
            assert!(normalize(raw).is_transitional(), "{raw}");
        }
        for raw in ["Running", "Terminated", "StartupErrored"] {
            assert!(!normalize(raw).is_transitional(), "{raw}");
        }
    }
}
