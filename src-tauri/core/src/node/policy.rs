//! When a state change becomes a desktop notification. Changes are gathered for a short
//! window and planned together (coalesced, de-duplicated, filtered by the user's settings); a
//! change the user caused from the focused window is not announced back to them; a GPU
//! workspace running past the user's threshold is reminded of once per run (again an hour after
//! "Keep running"); budgets and the stop policy are stepped after each poll. Pure: the caller
//! brings the time, the window's focus and the settings.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use chrono::{DateTime, NaiveDate, Utc};

use crate::budget::Alerted;
use crate::model::{Workspace, WorkspaceState};
use crate::notifications::{self, Note, WorkspaceRef, KEEP_RUNNING_MINUTES};
use crate::settings::{NotificationSettings, Settings};
use crate::watcher::{Snapshot, StateChange};

use super::auto_stop::{AutoStopper, Decisions};
use super::budget;

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

/// How long a minute of the policy lasts: reminders, "Keep running" and the stop policy count
/// in these. A real minute; a debug build reads `HANGAR_DEBUG_POLICY_MINUTE_MS` so that the
/// end-to-end tests see an hour pass in seconds (release builds never read it).
pub fn policy_minute() -> Duration {
    let real = Duration::from_secs(60);
    if !cfg!(debug_assertions) {
        return real;
    }
    std::env::var("HANGAR_DEBUG_POLICY_MINUTE_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .filter(|ms| *ms > 0)
        .map_or(real, Duration::from_millis)
}

type Key = (String, String);

/// One closed batch.
#[derive(Debug, Default)]
pub struct Round {
    /// Every change of the batch, once each (`notifications::coalesce`).
    pub changes: Vec<StateChange>,
    pub notes: Vec<Note>,
}

/// A GPU workspace seen running, as its reminder follows it.
#[derive(Debug, Clone, Copy)]
struct Reminded {
    since: Instant,
    reminded: bool,
    /// "Keep running": not reminded before this, and reminded again after it.
    snoozed_until: Option<Instant>,
}

pub struct Policy {
    batch: Vec<StateChange>,
    closes_at: Option<Instant>,
    acted_in_window: HashMap<Key, Instant>,
    gpu_running: HashMap<Key, Reminded>,
    focused: bool,
    minute: Duration,
    auto_stop: AutoStopper,
    /// Budget alerts raised in the current periods (saved by the Node when it changes).
    alerted: Alerted,
}

impl Default for Policy {
    fn default() -> Self {
        Policy::with_minute(Duration::from_secs(60))
    }
}

impl Policy {
    /// A policy whose minute lasts `minute` (see [`policy_minute`]).
    pub fn with_minute(minute: Duration) -> Policy {
        Policy {
            batch: vec![],
            closes_at: None,
            acted_in_window: HashMap::new(),
            gpu_running: HashMap::new(),
            focused: false,
            minute,
            auto_stop: AutoStopper::default(),
            alerted: Alerted::default(),
        }
    }

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

    /// A reminder of the GPU workspaces that just passed the user's threshold, each once per
    /// run (and again once a "Keep running" hour is over).
    pub fn gpu_reminder(
        &mut self,
        workspaces: &[Workspace],
        now: Instant,
        settings: &NotificationSettings,
    ) -> Option<Note> {
        let minutes = settings.gpu_reminder_minutes?;
        let running: Vec<&Workspace> =
            workspaces.iter().filter(|w| w.state == WorkspaceState::Running && w.hardware.gpu.is_some()).collect();
        self.gpu_running.retain(|k, _| running.iter().any(|w| (&w.account, &w.id) == (&k.0, &k.1)));
        let threshold = self.minute * minutes;
        let mut due = vec![];
        for w in running {
            let entry = self.gpu_running.entry((w.account.clone(), w.id.clone())).or_insert(Reminded {
                since: now,
                reminded: false,
                snoozed_until: None,
            });
            let snoozed = entry.snoozed_until.is_some_and(|t| now < t);
            if !entry.reminded && !snoozed && now.duration_since(entry.since) >= threshold {
                entry.reminded = true;
                due.push((WorkspaceRef::new(&w.account, &w.id), w.name.clone()));
            }
        }
        notifications::gpu_reminder(&due, minutes, settings)
    }

    /// "Keep running" on these workspaces: their reminder waits an hour and then comes again,
    /// and an automatic stop waits an hour.
    pub fn keep_running(&mut self, workspaces: &[WorkspaceRef], now: Instant) {
        let hour = self.minute * KEEP_RUNNING_MINUTES;
        for w in workspaces {
            if let Some(r) = self.gpu_running.get_mut(&(w.account.clone(), w.id.clone())) {
                r.reminded = false;
                r.snoozed_until = Some(now + hour);
            }
            self.auto_stop.keep_running(w, self.minute);
        }
    }

    /// The stop policy after a poll: warnings to show and workspaces to stop.
    pub fn auto_stop(&mut self, snap: &Snapshot, settings: &Settings, now: DateTime<Utc>) -> Decisions {
        self.auto_stop.step(snap, &settings.auto_stop, now, self.minute)
    }

    /// An automatic stop failed; a later confirmed poll tries again.
    pub fn auto_stop_failed(&mut self, w: &WorkspaceRef) {
        self.auto_stop.stop_failed(w);
    }

    /// Budgets after a poll: the notes newly due on `today` (the local date). Paused
    /// notifications hold them back until resumed, within the same period.
    pub fn budgets(&mut self, totals: &crate::cost::Totals, settings: &Settings, today: NaiveDate) -> Vec<Note> {
        if settings.notifications.paused {
            return vec![];
        }
        budget::check(&settings.budgets, totals, &settings.rates.currency, today, &mut self.alerted)
    }

    /// Budget alerts raised so far in the current periods.
    pub fn alerted(&self) -> &Alerted {
        &self.alerted
    }

    /// What an earlier run already raised (read back at start).
    pub fn restore_alerted(&mut self, alerted: Alerted) {
        self.alerted = alerted;
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
        assert_eq!(
            note.actions[0],
            crate::notifications::NoteAction::Stop { workspaces: vec![WorkspaceRef::new("acme", "g")] }
        );
        assert!(note.body.contains("ws-g"), "{}", note.body);
        clock.advance(Duration::from_secs(3 * 3600));
        assert!(p.gpu_reminder(&boxes, clock.now(), &s).is_none(), "once per run");

        // Stopped and started again: a new run.
        p.gpu_reminder(&[gpu_box("g", WorkspaceState::Stopped)], clock.now(), &s);
        p.gpu_reminder(&boxes, clock.now(), &s);
        clock.advance(Duration::from_secs(3600));
        assert!(p.gpu_reminder(&boxes, clock.now(), &s).is_some());
    }

    #[test]
    fn keep_running_snoozes_the_reminder_for_an_hour_then_it_comes_again() {
        let clock = FakeClock::default();
        let mut p = Policy::default();
        let s = NotificationSettings { gpu_reminder_minutes: Some(60), ..on() };
        let boxes = [gpu_box("g", WorkspaceState::Running), gpu_box("h", WorkspaceState::Running)];
        p.gpu_reminder(&boxes, clock.now(), &s);
        clock.advance(Duration::from_secs(3600));
        let note = p.gpu_reminder(&boxes, clock.now(), &s).expect("both reminded");
        assert_eq!(note.summary, "2 GPU workspaces still running");
        p.keep_running(&[WorkspaceRef::new("acme", "g")], clock.now());
        clock.advance(Duration::from_secs(59 * 60));
        assert!(p.gpu_reminder(&boxes, clock.now(), &s).is_none(), "snoozed for the hour");
        clock.advance(Duration::from_secs(60));
        let again = p.gpu_reminder(&boxes, clock.now(), &s).expect("the hour is over");
        assert!(again.body.contains("ws-g") && !again.body.contains("ws-h"), "{}", again.body);
        clock.advance(Duration::from_secs(5 * 3600));
        assert!(p.gpu_reminder(&boxes, clock.now(), &s).is_none(), "once more only");
    }

    #[test]
    fn a_policy_minute_scales_reminders() {
        let clock = FakeClock::default();
        let mut p = Policy::with_minute(Duration::from_millis(100));
        let s = NotificationSettings { gpu_reminder_minutes: Some(10), ..on() };
        let boxes = [gpu_box("g", WorkspaceState::Running)];
        p.gpu_reminder(&boxes, clock.now(), &s);
        clock.advance(Duration::from_secs(1));
        assert!(p.gpu_reminder(&boxes, clock.now(), &s).is_some());
    }

    #[test]
    fn paused_notifications_hold_budget_alerts_back_until_resumed() {
        let clock = FakeClock::default();
        let mut p = Policy::default();
        let spend = crate::cost::Spend { currency: "USD".into(), today: 9.0, ..Default::default() };
        let totals = crate::cost::Totals { spend: vec![spend], ..Default::default() };
        let mut settings = Settings::default();
        settings.budgets.all.daily = Some(10.0);
        settings.notifications.paused = true;
        let today = clock.wall().date_naive();
        assert!(p.budgets(&totals, &settings, today).is_empty());
        settings.notifications.paused = false;
        assert_eq!(p.budgets(&totals, &settings, today).len(), 1);
        assert!(p.budgets(&totals, &settings, today).is_empty());
        assert_eq!(p.alerted().alerts.len(), 1);
    }

    #[test]
    fn keep_running_also_postpones_an_automatic_stop() {
        let clock = FakeClock::default();
        let mut p = Policy::default();
        let mut settings = Settings::default();
        settings.auto_stop.gpu_max_hours = Some(1);
        let snap = Snapshot { workspaces: vec![gpu_box("g", WorkspaceState::Running)], ..Snapshot::default() };
        p.auto_stop(&snap, &settings, clock.wall());
        clock.advance(Duration::from_secs(50 * 60));
        assert_eq!(p.auto_stop(&snap, &settings, clock.wall()).warnings.len(), 1);
        p.keep_running(&[WorkspaceRef::new("acme", "g")], clock.now());
        clock.advance(Duration::from_secs(10 * 60));
        assert!(p.auto_stop(&snap, &settings, clock.wall()).stops.is_empty());
    }
}
