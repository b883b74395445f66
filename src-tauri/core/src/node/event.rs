//! What the Node tells its faces: the window and tray (desktop app) and `hangarctl watch`
//! only render these.

use crate::notifications::Note;
use crate::settings::Settings;
use crate::watcher::{Refreshed, Snapshot, StateChange};

use super::names;

#[derive(Debug, Clone)]
pub enum NodeEvent {
    /// What is shown changed.
    Snapshot(Snapshot),
    /// A poll finished and changed nothing that is shown.
    Refreshed(Refreshed),
    /// One change, as soon as it is seen (the window and tray follow these).
    StateChange(StateChange),
    /// A batch of changes once it closes, each once (`notifications::coalesce`): what
    /// `hangarctl watch` prints, in step with the notifications that follow it.
    Coalesced(Vec<StateChange>),
    /// A desktop notification the policy decided on.
    Notify(Note),
    Settings(Settings),
    /// The session was replaced (the demo ended).
    SessionChanged {
        demo: bool,
    },
}

impl NodeEvent {
    /// The event's name for the window; `None` for what is not sent there (notifications).
    pub fn name(&self) -> Option<&'static str> {
        Some(match self {
            NodeEvent::Snapshot(_) => names::SNAPSHOT,
            NodeEvent::Refreshed(_) => names::REFRESHED,
            NodeEvent::StateChange(_) => names::STATE_CHANGE,
            NodeEvent::Settings(_) => names::SETTINGS,
            NodeEvent::SessionChanged { .. } => names::SESSION_CHANGED,
            NodeEvent::Notify(_) | NodeEvent::Coalesced(_) => return None,
        })
    }
}
