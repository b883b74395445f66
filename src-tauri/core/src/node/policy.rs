//! When a state change becomes a desktop notification. Changes are gathered for a short
//! window and planned together (coalesced, de-duplicated, filtered by the user's settings); a
//! change the user caused from the focused window is not announced back to them; a GPU
//! workspace running past the user's threshold is reminded of once per run. Pure: the caller
//! brings the time, the window's focus and the settings.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::model::{Workspace, WorkspaceState};
use crate::notifications::{self, Note};
use crate::settings::NotificationSettings;
use crate::watcher::StateChange;

/// How long changes are gathered before one round of notifications.
pub const BATCH_WINDOW: Duration = Duration::from_millis(1500);
/// Changes within this long after a window action on the same workspace count as caused by it.
pub const CAUSED_WINDOW: Duration = Duration::from_secs(300);

/// Where an operation came from: the policy treats the window's own actions differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// The app's window: its results are on screen, so they are not announced while it has focus.
    Window,
    /// The tray menu: announced like any change the user did not watch happen.
    Tray,
    /// `hangarctl`.
    Cli,
    /// Hangar itself (a reminder, a scheduled step).
    Policy,
}

type Key = (String, String);

/// One closed batch.
#[derive(Debug, Default)]
pub struct Round {
    /// Every change of the batch, once each (`notifications::coalesce`).
    pub changes: Vec<StateChange>,
    pub notes: Vec<Note>,
}

#[derive(Default)]
pub struct Policy {
    batch: Vec<StateChange>,
    closes_at: Option<Instant>,
    acted_in_window: HashMap<Key, Instant>,
    /// GPU workspaces seen running: since when, and whether they were reminded of.
    gpu_running_since: HashMap<Key, (Instant, bool)>,
    focused: bool,
}

impl Policy {
    /// An operation on a workspace is about to run (or just created it).
    pub fn acted(&mut self, origin: Origin, account: &str, id: &str, now: Instant) {
        let key = (account.to_string(), id.to_string());
        match origin {
            Origin::Window => {
                self.acted_in_window.retain(|_, t| now.duration_since(*t) < CAUSED_WINDOW);
                self.acted_in_window.insert(key, now);
            }
            Origin::Tray | Origin::Cli | Origin::Policy => {
                self.acted_in_window.remove(&key);
            }
        }
    }

    pub fn set_focused(&mut self, focused: bool) {
        self.focused = focused;
    }

    pub fn focused(&self) -> bool {
        self.focused
    }

    /// A change joins the open batch, or opens one.
    pub fn change(&mut self, change: StateChange, now: Instant) {
        self.closes_at.get_or_insert(now + BATCH_WINDOW);
        self.batch.push(change);
    }

    /// When the open batch closes, if one is open.
    pub fn closes_at(&self) -> Option<Instant> {
        self.closes_at
    }

    /// The batch once its window has passed (empty before): its changes, coalesced, and the
    /// notes they deserve.
    pub fn close_batch(&mut self, now: Instant, settings: &NotificationSettings) -> Round {
        match self.closes_at {
            Some(at) if at <= now => {}
            _ => return Round::default(),
        }
        self.closes_at = None;
        let batch = std::mem::take(&mut self.batch);
        let announced: Vec<StateChange> = batch.iter().filter(|c| !self.quiet(c, now)).cloned().collect();
        Round { changes: notifications::coalesce(&batch), notes: notifications::plan(&announced, settings) }
    }

    fn quiet(&self, c: &StateChange, now: Instant) -> bool {
        self.focused
            && self
                .acted_in_window
                .get(&(c.account.clone(), c.id.clone()))
                .is_some_and(|t| now.duration_since(*t) < CAUSED_WINDOW)
    }

    /// A reminder of the GPU workspaces that just passed the user's threshold, each once per run.
    pub fn gpu_reminder(
        &mut self,
        workspaces: &[Workspace],
        now: Instant,
        settings: &NotificationSettings,
    ) -> Option<Note> {
        let minutes = settings.gpu_reminder_minutes?;
        let running: Vec<&Workspace> =
            workspaces.iter().filter(|w| w.state == WorkspaceState::Running && w.hardware.gpu.is_some()).collect();
        self.gpu_running_since.retain(|k, _| running.iter().any(|w| (&w.account, &w.id) == (&k.0, &k.1)));
        let threshold = Duration::from_secs(u64::from(minutes) * 60);
        let mut due = vec![];
        for w in running {
            let entry = self.gpu_running_since.entry((w.account.clone(), w.id.clone())).or_insert((now, false));
            if !entry.1 && now.duration_since(entry.0) >= threshold {
                entry.1 = true;
                due.push(w.name.clone());
            }
        }
        notifications::gpu_reminder(&due, minutes, settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{Clock, FakeClock};
    use crate::model::{Gpu, Hardware, ProviderId};
    use crate::notifications::NoteKind;

    fn change(id: &str, to: WorkspaceState) -> StateChange {
        StateChange { reason: None, gpu: false, ..crate::notifications::tests::change(id, to) }
    }

    fn gpu_box(id: &str, state: WorkspaceState) -> Workspace {
        let gpu = Hardware { gpu: Some(Gpu { kind: "a100".into(), count: 1 }), ..Hardware::default() };
        Workspace { name: format!("ws-{id}"), hardware: gpu, ..Workspace::bare("acme", ProviderId::ALL[0], id, state) }
    }

    fn on() -> NotificationSettings {
        NotificationSettings::default()
    }

    #[test]
    fn a_round_lists_each_change_once_even_those_not_announced() {
        let clock = FakeClock::default();
        let mut p = Policy::default();
        p.set_focused(true);
        p.acted(Origin::Window, "acme", "a", clock.now());
        p.change(change("a", WorkspaceState::Stopped), clock.now());
        p.change(change("b", WorkspaceState::Stopped), clock.now());
        p.change(change("b", WorkspaceState::Stopped), clock.now());
        clock.advance(BATCH_WINDOW);
        let round = p.close_batch(clock.now(), &on());
        let ids: Vec<&str> = round.changes.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"], "each change once, the window's own one included");
        assert_eq!(round.notes.len(), 1, "only b is announced");
        let note = &round.notes[0];
        assert!(format!("{} {}", note.summary, note.body).contains("ws-b"), "{note:?}");
    }

    #[test]
    fn changes_within_the_window_make_one_round() {
        let clock = FakeClock::default();
        let mut p = Policy::default();
        p.change(change("a", WorkspaceState::Stopped), clock.now());
        clock.advance(Duration::from_millis(1000));
        p.change(change("b", WorkspaceState::Stopped), clock.now());
        assert!(p.close_batch(clock.now(), &on()).notes.is_empty(), "the window is still open");
        clock.advance(Duration::from_millis(500));
        let notes = p.close_batch(clock.now(), &on()).notes;
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].summary, "2 workspaces stopped");
        assert!(p.closes_at().is_none());
        assert!(p.close_batch(clock.now(), &on()).notes.is_empty(), "a round is announced once");
    }

    #[test]
    fn a_change_after_the_window_opens_the_next_round() {
        let clock = FakeClock::default();
        let mut p = Policy::default();
        p.change(change("a", WorkspaceState::Stopped), clock.now());
        clock.advance(BATCH_WINDOW);
        assert_eq!(p.close_batch(clock.now(), &on()).notes.len(), 1);
        p.change(change("b", WorkspaceState::Running), clock.now());
        assert_eq!(p.closes_at(), Some(clock.now() + BATCH_WINDOW));
    }

    #[test]
    fn a_change_the_focused_window_caused_is_not_announced() {
        let clock = FakeClock::default();
        let mut p = Policy::default();
        p.set_focused(true);
        p.acted(Origin::Window, "acme", "a", clock.now());
        clock.advance(Duration::from_secs(30));
        p.change(change("a", WorkspaceState::Stopped), clock.now());
        clock.advance(BATCH_WINDOW);
        assert!(p.close_batch(clock.now(), &on()).notes.is_empty());
    }

    #[test]
    fn a_window_action_is_announced_when_the_window_is_not_focused_or_long_ago() {
        let clock = FakeClock::default();
        let mut p = Policy::default();
        p.acted(Origin::Window, "acme", "a", clock.now());
        p.change(change("a", WorkspaceState::Stopped), clock.now());
        clock.advance(BATCH_WINDOW);
        assert_eq!(p.close_batch(clock.now(), &on()).notes.len(), 1, "the user was not looking");

        p.set_focused(true);
        clock.advance(CAUSED_WINDOW);
        p.change(change("a", WorkspaceState::Running), clock.now());
        clock.advance(BATCH_WINDOW);
        assert_eq!(p.close_batch(clock.now(), &on()).notes.len(), 1, "too long after the action to be its result");
    }

    #[test]
    fn a_tray_action_is_announced() {
        let clock = FakeClock::default();
        let mut p = Policy::default();
        p.set_focused(true);
        p.acted(Origin::Window, "acme", "a", clock.now());
        p.acted(Origin::Tray, "acme", "a", clock.now());
        p.change(change("a", WorkspaceState::Stopped), clock.now());
        clock.advance(BATCH_WINDOW);
        let notes = p.close_batch(clock.now(), &on()).notes;
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].summary, "Workspace stopped");
    }

    #[test]
    fn pause_silences() {
        let clock = FakeClock::default();
        let mut p = Policy::default();
        let paused = NotificationSettings { paused: true, ..on() };
        p.change(change("a", WorkspaceState::Errored), clock.now());
        clock.advance(BATCH_WINDOW);
        assert!(p.close_batch(clock.now(), &paused).notes.is_empty());
        let boxes = [gpu_box("g", WorkspaceState::Running)];
        p.gpu_reminder(&boxes, clock.now(), &paused);
        clock.advance(Duration::from_secs(10 * 3600));
        assert!(p.gpu_reminder(&boxes, clock.now(), &paused).is_none());
    }

    #[test]
    fn a_gpu_reminder_fires_after_the_threshold_and_not_twice() {
        let clock = FakeClock::default();
        let mut p = Policy::default();
        let s = NotificationSettings { gpu_reminder_minutes: Some(60), ..on() };
        let boxes = [gpu_box("g", WorkspaceState::Running)];
        assert!(p.gpu_reminder(&boxes, clock.now(), &s).is_none(), "just seen running");
        clock.advance(Duration::from_secs(59 * 60));
        assert!(p.gpu_reminder(&boxes, clock.now(), &s).is_none());
        clock.advance(Duration::from_secs(60));
        let note = p.gpu_reminder(&boxes, clock.now(), &s).expect("an hour of GPU");
        assert_eq!(note.kind, NoteKind::GpuReminder);
        assert!(note.body.contains("ws-g"), "{}", note.body);
        clock.advance(Duration::from_secs(3 * 3600));
        assert!(p.gpu_reminder(&boxes, clock.now(), &s).is_none(), "once per run");

        // Stopped and started again: a new run.
        p.gpu_reminder(&[gpu_box("g", WorkspaceState::Stopped)], clock.now(), &s);
        p.gpu_reminder(&boxes, clock.now(), &s);
        clock.advance(Duration::from_secs(3600));
        assert!(p.gpu_reminder(&boxes, clock.now(), &s).is_some());
    }
}
