//! What Hangar has seen of each workspace: its state transitions with their causes (the
//! details panel's timeline) and its running intervals (spend so far, today, this week).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::{Workspace, WorkspaceState};

/// Who made a transition happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::Display, strum::IntoStaticStr)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
#[ts(export)]
pub enum Cause {
    /// The user, from the window or `hangarctl`.
    You,
    Tray,
    /// Hangar's own policy (auto-stop, a notification's action counts as `you`).
    Policy,
    /// Nobody in Hangar: the vendor, or someone elsewhere.
    Vendor,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Transition {
    #[ts(type = "string")]
    pub at: DateTime<Utc>,
    /// `None` when Hangar first saw the workspace.
    pub from: Option<WorkspaceState>,
    pub to: WorkspaceState,
    pub cause: Cause,
}

/// One workspace with everything known of it: `hangarctl show` and the details panel.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct WorkspaceDetails {
    #[serde(flatten)]
    #[ts(flatten)]
    pub workspace: Workspace,
    /// Oldest first.
    pub timeline: Vec<Transition>,
    /// The managed SSH alias and the exact command, where the workspace has SSH.
    pub ssh_alias: Option<String>,
    pub ssh_command: Option<String>,
    /// Running time spent today and this week, in the workspace's `currency`.
    pub spent_today: Option<f64>,
    pub spent_week: Option<f64>,
    /// The vendor's own record, secrets removed; `null` when the vendor has none to give.
    #[ts(type = "unknown")]
    pub raw: serde_json::Value,
}
