//! `instance.status` (contract §6) → the normalized states, and what each allows. Kubernetes
//! and ECS share one table: where they use the same word it means the same thing. Mage offers
//! Stop while RUNNING, Resume while STOPPED and Delete always; Hangar adds Update (the `patch`
//! action) where patch is supported.

use crate::model::{Action, WorkspaceState};

pub fn normalize(status: &str) -> WorkspaceState {
    match status.trim().to_ascii_uppercase().as_str() {
        "RUNNING" => WorkspaceState::Running,
        // k8s: pod phase Pending; ECS: task placed, image pulling. UNAVAILABLE: no pod yet and
        // not scaled to 0, which is what a workspace being created looks like.
        "PENDING" | "UNAVAILABLE" => WorkspaceState::Pending,
        "PROVISIONING" | "ACTIVATING" => WorkspaceState::Starting,
        "DEACTIVATING" | "STOPPING" | "DEPROVISIONING" => WorkspaceState::Stopping,
        // SUCCEEDED: the workspace pod exited on its own; nothing runs.
        "STOPPED" | "SUCCEEDED" => WorkspaceState::Stopped,
        "FAILED" => WorkspaceState::Errored,
        _ => WorkspaceState::Unknown,
    }
}

/// Actions by the raw status, as Mage's own manage page offers them.
pub fn actions(status: &str, patchable: bool) -> Vec<Action> {
    let update = patchable.then_some(Action::Update);
    let mut out: Vec<Action> = match status.trim().to_ascii_uppercase().as_str() {
        "RUNNING" => [Some(Action::Stop), update].into_iter().flatten().collect(),
        "STOPPED" => [Some(Action::Start), update].into_iter().flatten().collect(),
        _ => vec![],
    };
    out.push(Action::Delete);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use WorkspaceState::*;

    /// Contract §6, row by row (k8s, then ECS, then Cloud Run), plus forward compatibility.
    #[test]
    fn every_documented_status_maps() {
        let table: [(&str, WorkspaceState, &[Action]); 17] = [
            ("RUNNING", Running, &[Action::Stop, Action::Update, Action::Delete]),
            ("PENDING", Pending, &[Action::Delete]),
            ("SUCCEEDED", Stopped, &[Action::Delete]),
            ("FAILED", Errored, &[Action::Delete]),
            ("UNKNOWN", Unknown, &[Action::Delete]),
            ("STOPPED", Stopped, &[Action::Start, Action::Update, Action::Delete]),
            ("UNAVAILABLE", Pending, &[Action::Delete]),
            ("PROVISIONING", Starting, &[Action::Delete]),
            ("ACTIVATING", Starting, &[Action::Delete]),
            ("DEACTIVATING", Stopping, &[Action::Delete]),
            ("STOPPING", Stopping, &[Action::Delete]),
            ("DEPROVISIONING", Stopping, &[Action::Delete]),
            ("running", Running, &[Action::Stop, Action::Update, Action::Delete]),
            (" Stopped ", Stopped, &[Action::Start, Action::Update, Action::Delete]),
            ("HIBERNATING", Unknown, &[Action::Delete]),
            ("", Unknown, &[Action::Delete]),
            ("CrashLoopBackOff", Unknown, &[Action::Delete]),
        ];
        for (raw, state, acts) in table {
            assert_eq!(normalize(raw), state, "state of '{raw}'");
            assert_eq!(actions(raw, true), acts, "actions of '{raw}'");
        }
    }

    #[test]
    fn without_patch_there_is_no_update() {
        assert_eq!(actions("RUNNING", false), vec![Action::Stop, Action::Delete]);
        assert_eq!(actions("STOPPED", false), vec![Action::Start, Action::Delete]);
    }

    #[test]
    fn transitional_states_are_the_moving_ones() {
        for s in ["PENDING", "UNAVAILABLE", "PROVISIONING", "ACTIVATING", "DEACTIVATING", "STOPPING", "DEPROVISIONING"]
        {
            assert!(normalize(s).is_transitional(), "{s}");
        }
        for s in ["RUNNING", "STOPPED", "SUCCEEDED", "FAILED", "UNKNOWN", "weird"] {
            assert!(!normalize(s).is_transitional(), "{s}");
        }
    }
}
