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
}

#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub kind: NoteKind,
    pub summary: String,
    pub body: String,
    /// The one workspace the note is about (offers "Open"), when it is about one.
    pub target: Option<(String, String)>,
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

fn enabled(kind: NoteKind, s: &NotificationSettings) -> bool {
    !s.paused
        && match kind {
            NoteKind::Running => s.running,
            NoteKind::Stopped => s.stopped,
            NoteKind::Errored => s.errored,
            NoteKind::Deleted => s.deleted,
            NoteKind::GpuReminder => s.gpu_reminder_minutes.is_some(),
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
    }
}

fn single(kind: NoteKind, c: &StateChange) -> Note {
    let summary = match kind {
        NoteKind::Running => "Workspace running",
        NoteKind::Stopped => "Workspace stopped",
        NoteKind::Errored => "Workspace failed",
        NoteKind::Deleted => "Workspace deleted",
        NoteKind::GpuReminder => "GPU workspace still running",
    };
    let mut body = format!("{} {} ({})", c.name, verb(kind), c.account);
    if let (NoteKind::Errored, Some(reason)) = (kind, &c.reason) {
        body.push_str(&format!(": {reason}"));
    }
    let target = (kind == NoteKind::Running).then(|| (c.account.clone(), c.id.clone()));
    Note { kind, summary: summary.into(), body, target }
}

fn several(kind: NoteKind, group: &[&StateChange]) -> Note {
    let n = group.len();
    let summary = match kind {
        NoteKind::Running => format!("{n} workspaces running"),
        NoteKind::Stopped => format!("{n} workspaces stopped"),
        NoteKind::Errored => format!("{n} workspaces failed"),
        NoteKind::Deleted => format!("{n} workspaces deleted"),
        NoteKind::GpuReminder => format!("{n} GPU workspaces still running"),
    };
    let mut names: Vec<&str> = group.iter().take(NAMED).map(|c| c.name.as_str()).collect();
    let more = n.saturating_sub(NAMED);
    let tail = if more > 0 { format!(" and {more} more") } else { String::new() };
    names.dedup();
    Note { kind, summary, body: format!("{}{tail}", names.join(", ")), target: None }
}

/// A reminder that GPU workspaces have been running longer than the user's threshold.
pub fn gpu_reminder(names: &[String], minutes: u32, settings: &NotificationSettings) -> Option<Note> {
    if names.is_empty() || !enabled(NoteKind::GpuReminder, settings) {
        return None;
    }
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
        assert!(gpu_reminder(&["x".into()], 240, &off).is_none());
        let on = gpu_reminder(&["x".into()], 240, &NotificationSettings::default()).unwrap();
        assert!(on.body.contains("4.0 h"), "{}", on.body);
    }
}
