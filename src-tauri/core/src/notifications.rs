//! Which desktop notifications a batch of state changes deserves: one per kind of change,
//! coalesced (ten workspaces stopping at once make one notification), de-duplicated, and
//! filtered by the user's settings. Pure: the Node's policy decides when a batch closes.

use std::collections::HashSet;

use serde::Serialize;

use crate::model::WorkspaceState;
use crate::settings::NotificationSettings;
use crate::watcher::StateChange;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    Running,
    Stopped,
    Errored,
    Deleted,
    GpuReminder,
    /// A spending limit reached 80 % or 100 %.
    Budget,
    /// Hangar is about to stop (or just stopped) a GPU workspace that ran past the user's limit.
    AutoStop,
    /// An action the user or the policy took did not work.
    ActionFailed,
}

/// A workspace an action acts on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct WorkspaceRef {
    pub account: String,
    pub id: String,
}

impl WorkspaceRef {
    pub fn new(account: &str, id: &str) -> WorkspaceRef {
        WorkspaceRef { account: account.into(), id: id.into() }
    }
}

/// What a notification offers to do, where the desktop shows buttons on notifications.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "key", rename_all = "kebab-case")]
pub enum NoteAction {
    /// Stop these workspaces, as the window's Stop does.
    Stop { workspaces: Vec<WorkspaceRef> },
    /// Leave these running for an hour: their reminder snoozes and an automatic stop waits.
    KeepRunning { workspaces: Vec<WorkspaceRef> },
    /// Open the workspace's browser link, as the window's Open does.
    Open { workspace: WorkspaceRef },
    /// Show Hangar's window.
    Show,
}

/// How long "Keep running" leaves a workspace alone.
pub const KEEP_RUNNING_MINUTES: u32 = 60;

impl NoteAction {
    /// The action's key on the notification bus (stable; one action of a kind per note).
    pub fn key(&self) -> &'static str {
        match self {
            NoteAction::Stop { .. } => "stop",
            NoteAction::KeepRunning { .. } => "keep-running",
            NoteAction::Open { .. } => "open",
            NoteAction::Show => "show",
        }
    }

    /// The button's text.
    pub fn label(&self) -> String {
        match self {
            NoteAction::Stop { workspaces } if workspaces.len() > 1 => format!("Stop all {}", workspaces.len()),
            NoteAction::Stop { .. } => "Stop".into(),
            NoteAction::KeepRunning { .. } => "Keep running 1 h".into(),
            NoteAction::Open { .. } => "Open".into(),
            NoteAction::Show => "Show".into(),
        }
    }

    /// Where the same thing is done when the notification cannot offer it.
    fn tray_hint(&self) -> &'static str {
        match self {
            NoteAction::Stop { .. } => "Stop it from Hangar's tray menu.",
            NoteAction::KeepRunning { .. } => "",
            NoteAction::Open { .. } => "Open it from Hangar's tray menu.",
            NoteAction::Show => "Show Hangar from its tray menu.",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Note {
    pub kind: NoteKind,
    pub summary: String,
    pub body: String,
    /// The one workspace the note is about (offers "Open"), when it is about one.
    #[serde(skip)]
    pub target: Option<(String, String)>,
    /// What the notification offers, in the order shown.
    pub actions: Vec<NoteAction>,
}

impl Note {
    /// The body for a desktop that shows no buttons: it says where the same is done instead.
    pub fn body_without_actions(&self) -> String {
        let hints: Vec<&str> = self.actions.iter().map(NoteAction::tray_hint).filter(|h| !h.is_empty()).collect();
        if hints.is_empty() {
            return self.body.clone();
        }
        format!("{}\n{}", self.body, hints.join(" "))
    }
}

fn kind_of(to: WorkspaceState) -> Option<NoteKind> {
    match to {
        WorkspaceState::Running => Some(NoteKind::Running),
        WorkspaceState::Stopped => Some(NoteKind::Stopped),
        WorkspaceState::Errored => Some(NoteKind::Errored),
        WorkspaceState::Deleted => Some(NoteKind::Deleted),
        _ => None,
    }
}

pub fn enabled(kind: NoteKind, s: &NotificationSettings) -> bool {
    match kind {
        // Hangar acting on its own, or an action failing, is said even while paused.
        NoteKind::AutoStop | NoteKind::ActionFailed => true,
        _ if s.paused => false,
        NoteKind::Running => s.running,
        NoteKind::Stopped => s.stopped,
        NoteKind::Errored => s.errored,
        NoteKind::Deleted => s.deleted,
        NoteKind::GpuReminder => s.gpu_reminder_minutes.is_some(),
        NoteKind::Budget => true,
    }
}

const NAMED: usize = 3;

/// A batch without repeats: the same workspace reaching the same state twice counts once (the
/// first time). What a notification round announces, and what `hangarctl watch` prints.
pub fn coalesce(changes: &[StateChange]) -> Vec<StateChange> {
    let mut seen = HashSet::new();
    changes.iter().filter(|c| seen.insert((c.account.clone(), c.id.clone(), c.to))).cloned().collect()
}

/// The notes for one batch of changes, in a stable order (errors first).
pub fn plan(changes: &[StateChange], settings: &NotificationSettings) -> Vec<Note> {
    let changes = coalesce(changes);
    let mut notes = vec![];
    for kind in [NoteKind::Errored, NoteKind::Running, NoteKind::Stopped, NoteKind::Deleted] {
        if !enabled(kind, settings) {
            continue;
        }
        let group: Vec<&StateChange> = changes.iter().filter(|c| kind_of(c.to) == Some(kind)).collect();
        match group.as_slice() {
            [] => {}
            [one] => notes.push(single(kind, one)),
            many => notes.push(several(kind, many)),
        }
    }
    notes
}

fn verb(kind: NoteKind) -> &'static str {
    match kind {
        NoteKind::Running => "is running",
        NoteKind::Stopped => "stopped",
        NoteKind::Errored => "failed",
        NoteKind::Deleted => "was deleted",
        NoteKind::GpuReminder => "is still running",
        NoteKind::Budget | NoteKind::AutoStop | NoteKind::ActionFailed => "",
    }
}

fn single(kind: NoteKind, c: &StateChange) -> Note {
    let summary = match kind {
        NoteKind::Running => "Workspace running",
        NoteKind::Stopped => "Workspace stopped",
        NoteKind::Errored => "Workspace failed",
        NoteKind::Deleted => "Workspace deleted",
        NoteKind::GpuReminder => "GPU workspace still running",
        NoteKind::Budget | NoteKind::AutoStop | NoteKind::ActionFailed => "",
    };
    let mut body = format!("{} {} ({})", c.name, verb(kind), c.account);
    if let (NoteKind::Errored, Some(reason)) = (kind, &c.reason) {
        body.push_str(&format!(": {reason}"));
    }
    let target = (kind == NoteKind::Running).then(|| (c.account.clone(), c.id.clone()));
    let actions = match kind {
        NoteKind::Running => vec![NoteAction::Open { workspace: WorkspaceRef::new(&c.account, &c.id) }],
        _ => vec![],
    };
    Note { kind, summary: summary.into(), body, target, actions }
}

fn several(kind: NoteKind, group: &[&StateChange]) -> Note {
    let n = group.len();
    let summary = match kind {
        NoteKind::Running => format!("{n} workspaces running"),
        NoteKind::Stopped => format!("{n} workspaces stopped"),
        NoteKind::Errored => format!("{n} workspaces failed"),
        NoteKind::Deleted => format!("{n} workspaces deleted"),
        NoteKind::GpuReminder => format!("{n} GPU workspaces still running"),
        NoteKind::Budget | NoteKind::AutoStop | NoteKind::ActionFailed => String::new(),
    };
    let mut names: Vec<&str> = group.iter().take(NAMED).map(|c| c.name.as_str()).collect();
    let more = n.saturating_sub(NAMED);
    let tail = if more > 0 { format!(" and {more} more") } else { String::new() };
    names.dedup();
    Note { kind, summary, body: format!("{}{tail}", names.join(", ")), target: None, actions: vec![] }
}

/// A reminder that GPU workspaces (`(which, name)`) have been running longer than the
/// user's threshold; it offers to stop them or to leave them running an hour.
pub fn gpu_reminder(due: &[(WorkspaceRef, String)], minutes: u32, settings: &NotificationSettings) -> Option<Note> {
    if due.is_empty() || !enabled(NoteKind::GpuReminder, settings) {
        return None;
    }
    let names: Vec<String> = due.iter().map(|(_, n)| n.clone()).collect();
    let workspaces: Vec<WorkspaceRef> = due.iter().map(|(w, _)| w.clone()).collect();
    let hours = f64::from(minutes) / 60.0;
    let summary = if names.len() == 1 {
        "GPU workspace still running".to_string()
    } else {
        format!("{} GPU workspaces still running", names.len())
    };
    let shown: Vec<&str> = names.iter().take(NAMED).map(String::as_str).collect();
    Some(Note {
        kind: NoteKind::GpuReminder,
        summary,
        body: format!("{} running for over {hours:.1} h — stop what you no longer use", shown.join(", ")),
        target: None,
        actions: vec![NoteAction::Stop { workspaces: workspaces.clone() }, NoteAction::KeepRunning { workspaces }],
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A GPU workspace of account `acme` that went from running to `to`, with a reason.
    pub(crate) fn change(id: &str, to: WorkspaceState) -> StateChange {
        StateChange {
            account: "acme".into(),
            id: id.into(),
            name: format!("ws-{id}"),
            from: WorkspaceState::Running,
            to,
            raw_state: to.to_string(),
            reason: Some("machine failed to boot".into()),
            gpu: true,
            at: chrono::Utc::now(),
        }
    }

    #[test]
    fn ten_stops_make_one_note() {
        let changes: Vec<_> = (0..10).map(|i| change(&i.to_string(), WorkspaceState::Stopped)).collect();
        let notes = plan(&changes, &NotificationSettings::default());
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].summary, "10 workspaces stopped");
        assert_eq!(notes[0].body, "ws-0, ws-1, ws-2 and 7 more");
    }

    #[test]
    fn one_running_offers_its_workspace_and_errors_carry_the_reason() {
        let notes = plan(
            &[change("a", WorkspaceState::Running), change("b", WorkspaceState::Errored)],
            &NotificationSettings::default(),
        );
        assert_eq!(notes[0].summary, "Workspace failed");
        assert!(notes[0].body.ends_with(": machine failed to boot"), "{}", notes[0].body);
        assert_eq!(notes[1].target, Some(("acme".into(), "a".into())));
    }

    #[test]
    fn duplicates_transitions_and_disabled_kinds_are_dropped() {
        let s = NotificationSettings { stopped: false, ..Default::default() };
        let dup = [change("a", WorkspaceState::Running), change("a", WorkspaceState::Running)];
        assert_eq!(plan(&dup, &s).len(), 1);
        assert!(plan(&[change("a", WorkspaceState::Stopped)], &s).is_empty());
        assert!(plan(&[change("a", WorkspaceState::Stopping)], &s).is_empty(), "transitional states are not announced");
        let paused = NotificationSettings { paused: true, ..Default::default() };
        assert!(plan(&dup, &paused).is_empty());
    }

    #[test]
    fn gpu_reminder_is_off_when_unset() {
        let off = NotificationSettings { gpu_reminder_minutes: None, ..Default::default() };
        let due = [(WorkspaceRef::new("acme", "x"), "x".to_string())];
        assert!(gpu_reminder(&due, 240, &off).is_none());
        let on = gpu_reminder(&due, 240, &NotificationSettings::default()).unwrap();
        assert!(on.body.contains("4.0 h"), "{}", on.body);
    }

    #[test]
    fn a_gpu_reminder_offers_stop_and_keep_running_for_its_workspaces() {
        let due = [(WorkspaceRef::new("acme", "x"), "x".to_string()), (WorkspaceRef::new("acme", "y"), "y".into())];
        let note = gpu_reminder(&due, 60, &NotificationSettings::default()).unwrap();
        let keys: Vec<&str> = note.actions.iter().map(NoteAction::key).collect();
        assert_eq!(keys, ["stop", "keep-running"]);
        assert_eq!(note.actions[0].label(), "Stop all 2");
        let both: Vec<WorkspaceRef> = due.iter().map(|(w, _)| w.clone()).collect();
        assert_eq!(note.actions[1], NoteAction::KeepRunning { workspaces: both });
    }

    #[test]
    fn a_running_note_offers_open_and_a_batch_offers_nothing() {
        let one = plan(&[change("a", WorkspaceState::Running)], &NotificationSettings::default());
        assert_eq!(one[0].actions, [NoteAction::Open { workspace: WorkspaceRef::new("acme", "a") }]);
        let two = plan(
            &[change("a", WorkspaceState::Running), change("b", WorkspaceState::Running)],
            &NotificationSettings::default(),
        );
        assert!(two[0].actions.is_empty());
        assert!(plan(&[change("a", WorkspaceState::Stopped)], &NotificationSettings::default())[0].actions.is_empty());
    }

    #[test]
    fn without_buttons_the_body_says_what_the_tray_does() {
        let one = plan(&[change("a", WorkspaceState::Running)], &NotificationSettings::default()).remove(0);
        assert_eq!(one.body_without_actions(), format!("{}\nOpen it from Hangar's tray menu.", one.body));
        let stopped = plan(&[change("a", WorkspaceState::Stopped)], &NotificationSettings::default()).remove(0);
        assert_eq!(stopped.body_without_actions(), stopped.body, "nothing offered, nothing added");
    }

    #[test]
    fn actions_serialize_with_their_key_and_workspaces() {
        let a = NoteAction::Stop { workspaces: vec![WorkspaceRef::new("acme", "x")] };
        assert_eq!(
            serde_json::to_value(&a).unwrap(),
            serde_json::json!({"key": "stop", "workspaces": [{"account": "acme", "id": "x"}]})
        );
        assert_eq!(serde_json::to_value(NoteAction::Show).unwrap(), serde_json::json!({"key": "show"}));
    }
}
