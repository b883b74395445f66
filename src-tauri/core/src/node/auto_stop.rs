//! The opt-in stop policy: a GPU workspace running longer than the user's limit is warned of
//! [`WARNING_MINUTES`] before, then stopped — only while its state is confirmed by the latest
//! poll, and never without the warning first (after a restart too). "Keep running" postpones
//! the stop by an hour. Pure: the caller brings the snapshot, the rules and the time.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::budget::AutoStop;
use crate::model::{Workspace, WorkspaceState};
use crate::notifications::{Note, NoteAction, NoteKind, WorkspaceRef, KEEP_RUNNING_MINUTES};
use crate::watcher::Snapshot;

/// How long before the stop the warning comes.
pub const WARNING_MINUTES: u32 = 10;

/// One run of one GPU workspace, as the policy follows it.
#[derive(Debug, Clone)]
struct Run {
    /// When Hangar first saw it running (used where the vendor reports no start).
    first_seen: DateTime<Utc>,
    /// Added by "Keep running".
    postponed: chrono::Duration,
    warned_at: Option<DateTime<Utc>>,
    /// A stop was asked for; not asked again unless it failed.
    stop_asked: bool,
}

/// What to do now.
#[derive(Debug, Default, PartialEq)]
pub struct Decisions {
    pub warnings: Vec<Note>,
    pub stops: Vec<WorkspaceRef>,
}

#[derive(Debug, Default)]
pub struct AutoStopper {
    runs: HashMap<WorkspaceRef, Run>,
}

fn key(w: &Workspace) -> WorkspaceRef {
    WorkspaceRef::new(&w.account, &w.id)
}

/// Whether the latest poll confirmed `w`'s state: the snapshot is fresh, its account answered
/// (and is not paused), and the listing says running.
fn confirmed_running(snap: &Snapshot, w: &Workspace) -> bool {
    !snap.stale
        && w.state == WorkspaceState::Running
        && !snap.failures.iter().any(|f| f.account == w.account)
        && !snap.accounts.iter().any(|a| a.account == w.account && a.paused)
}

fn minutes(minute: Duration, n: u64) -> chrono::Duration {
    chrono::Duration::from_std(minute * u32::try_from(n).unwrap_or(u32::MAX)).unwrap_or(chrono::Duration::MAX)
}

impl AutoStopper {
    /// One step after a poll. `minute` is how long a minute of the policy lasts (a real
    /// minute outside tests).
    pub fn step(&mut self, snap: &Snapshot, rules: &AutoStop, now: DateTime<Utc>, minute: Duration) -> Decisions {
        // The cards from the cache at launch say nothing about now: nothing to warn of yet.
        if snap.stale {
            return Decisions::default();
        }
        let followed: Vec<(&Workspace, u32)> = snap
            .workspaces
            .iter()
            .filter(|w| w.state == WorkspaceState::Running && w.hardware.gpu.is_some())
            .filter_map(|w| rules.hours_for(&w.account, &w.id).map(|h| (w, h)))
            .collect();
        // A run ends when its workspace is seen not running (or gone, or its limit removed).
        self.runs.retain(|k, _| followed.iter().any(|(w, _)| key(w) == *k));
        let lead = minutes(minute, WARNING_MINUTES.into());
        let mut decisions = Decisions::default();
        for (w, hours) in followed {
            let run = self.runs.entry(key(w)).or_insert(Run {
                first_seen: now,
                postponed: chrono::Duration::zero(),
                warned_at: None,
                stop_asked: false,
            });
            let started = w.started_at.filter(|s| *s <= now).unwrap_or(run.first_seen);
            let deadline = started + minutes(minute, u64::from(hours) * 60) + run.postponed;
            match run.warned_at {
                None if now >= deadline - lead => {
                    run.warned_at = Some(now);
                    decisions.warnings.push(warning(w, hours, (deadline).max(now + lead)));
                }
                Some(warned) if !run.stop_asked && now >= deadline.max(warned + lead) && confirmed_running(snap, w) => {
                    run.stop_asked = true;
                    decisions.stops.push(key(w));
                }
                _ => {}
            }
        }
        decisions
    }

    /// "Keep running": the stop waits another hour, and is warned of again before it.
    pub fn keep_running(&mut self, w: &WorkspaceRef, minute: Duration) {
        if let Some(run) = self.runs.get_mut(w) {
            run.postponed += minutes(minute, KEEP_RUNNING_MINUTES.into());
            run.warned_at = None;
            run.stop_asked = false;
        }
    }

    /// The stop did not work: it is tried again at a later poll that confirms the state.
    pub fn stop_failed(&mut self, w: &WorkspaceRef) {
        if let Some(run) = self.runs.get_mut(w) {
            run.stop_asked = false;
        }
    }
}

fn warning(w: &Workspace, hours: u32, at: DateTime<Utc>) -> Note {
    let local = at.with_timezone(&chrono::Local).format("%H:%M");
    Note {
        kind: NoteKind::AutoStop,
        summary: format!("GPU workspace stops in {WARNING_MINUTES} min"),
        body: format!(
            "{} ({}) has run for {hours} h, your limit: Hangar stops it at {local} unless you keep it running",
            w.name, w.account
        ),
        target: None,
        actions: vec![NoteAction::KeepRunning { workspaces: vec![key(w)] }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{Clock, FakeClock};
    use crate::model::{Gpu, Hardware, ProviderId};
    use crate::watcher::AccountStatus;

    const MINUTE: Duration = Duration::from_secs(60);

    fn gpu_box(id: &str, state: WorkspaceState) -> Workspace {
        let gpu = Hardware { gpu: Some(Gpu { kind: "a100".into(), count: 1 }), ..Hardware::default() };
        Workspace { name: format!("ws-{id}"), hardware: gpu, ..Workspace::bare("acme", ProviderId::ALL[0], id, state) }
    }

    fn snap(workspaces: Vec<Workspace>) -> Snapshot {
        Snapshot { workspaces, stale: false, ..Snapshot::default() }
    }

    fn two_hours() -> AutoStop {
        AutoStop { gpu_max_hours: Some(2), ..AutoStop::default() }
    }

    fn advance_minutes(clock: &FakeClock, n: u64) {
        clock.advance(MINUTE * u32::try_from(n).unwrap());
    }

    #[test]
    fn warned_ten_minutes_before_then_stopped() {
        let clock = FakeClock::default();
        let mut p = AutoStopper::default();
        let s = snap(vec![gpu_box("g", WorkspaceState::Running)]);
        assert_eq!(p.step(&s, &two_hours(), clock.wall(), MINUTE), Decisions::default(), "just seen");
        advance_minutes(&clock, 109);
        assert_eq!(p.step(&s, &two_hours(), clock.wall(), MINUTE), Decisions::default());
        advance_minutes(&clock, 1);
        let d = p.step(&s, &two_hours(), clock.wall(), MINUTE);
        assert_eq!(d.warnings.len(), 1);
        assert_eq!(d.warnings[0].kind, NoteKind::AutoStop);
        assert_eq!(
            d.warnings[0].actions,
            [NoteAction::KeepRunning { workspaces: vec![WorkspaceRef::new("acme", "g")] }]
        );
        assert!(d.stops.is_empty());
        advance_minutes(&clock, 9);
        assert_eq!(p.step(&s, &two_hours(), clock.wall(), MINUTE), Decisions::default(), "not warned twice");
        advance_minutes(&clock, 1);
        assert_eq!(p.step(&s, &two_hours(), clock.wall(), MINUTE).stops, [WorkspaceRef::new("acme", "g")]);
        advance_minutes(&clock, 1);
        assert_eq!(p.step(&s, &two_hours(), clock.wall(), MINUTE), Decisions::default(), "asked once");
    }

    #[test]
    fn off_unless_set_and_cpu_workspaces_are_left_alone() {
        let clock = FakeClock::default();
        let mut p = AutoStopper::default();
        let cpu = Workspace::bare("acme", ProviderId::ALL[0], "c", WorkspaceState::Running);
        let s = snap(vec![gpu_box("g", WorkspaceState::Running), cpu]);
        p.step(&s, &AutoStop::default(), clock.wall(), MINUTE);
        advance_minutes(&clock, 100 * 60);
        assert_eq!(p.step(&s, &AutoStop::default(), clock.wall(), MINUTE), Decisions::default());
        let cpu_only = snap(vec![Workspace::bare("acme", ProviderId::ALL[0], "c", WorkspaceState::Running)]);
        p.step(&cpu_only, &two_hours(), clock.wall(), MINUTE);
        advance_minutes(&clock, 100 * 60);
        assert_eq!(p.step(&cpu_only, &two_hours(), clock.wall(), MINUTE), Decisions::default());
    }

    #[test]
    fn after_a_restart_the_vendor_start_counts_but_the_warning_still_comes_first() {
        let clock = FakeClock::default();
        let mut g = gpu_box("g", WorkspaceState::Running);
        g.started_at = Some(clock.wall() - chrono::Duration::hours(5));
        let s = snap(vec![g]);
        let mut fresh = AutoStopper::default();
        let d = fresh.step(&s, &two_hours(), clock.wall(), MINUTE);
        assert_eq!((d.warnings.len(), d.stops.len()), (1, 0), "long past its limit, yet warned before stopped");
        advance_minutes(&clock, 10);
        assert_eq!(fresh.step(&s, &two_hours(), clock.wall(), MINUTE).stops.len(), 1);

        // Without a vendor start time, a restart starts counting again.
        let mut restarted = AutoStopper::default();
        let s = snap(vec![gpu_box("h", WorkspaceState::Running)]);
        restarted.step(&s, &two_hours(), clock.wall(), MINUTE);
        advance_minutes(&clock, 109);
        assert_eq!(restarted.step(&s, &two_hours(), clock.wall(), MINUTE), Decisions::default());
    }

    #[test]
    fn keep_running_postpones_by_an_hour_and_warns_again() {
        let clock = FakeClock::default();
        let mut p = AutoStopper::default();
        let s = snap(vec![gpu_box("g", WorkspaceState::Running)]);
        p.step(&s, &two_hours(), clock.wall(), MINUTE);
        advance_minutes(&clock, 110);
        assert_eq!(p.step(&s, &two_hours(), clock.wall(), MINUTE).warnings.len(), 1);
        p.keep_running(&WorkspaceRef::new("acme", "g"), MINUTE);
        advance_minutes(&clock, 10);
        assert_eq!(p.step(&s, &two_hours(), clock.wall(), MINUTE), Decisions::default(), "not stopped at the old time");
        advance_minutes(&clock, 49);
        assert_eq!(p.step(&s, &two_hours(), clock.wall(), MINUTE), Decisions::default());
        advance_minutes(&clock, 1);
        assert_eq!(p.step(&s, &two_hours(), clock.wall(), MINUTE).warnings.len(), 1, "warned again");
        advance_minutes(&clock, 10);
        assert_eq!(p.step(&s, &two_hours(), clock.wall(), MINUTE).stops.len(), 1);
    }

    #[test]
    fn an_unconfirmed_state_is_never_acted_on() {
        let clock = FakeClock::default();
        let mut p = AutoStopper::default();
        let s = snap(vec![gpu_box("g", WorkspaceState::Running)]);
        p.step(&s, &two_hours(), clock.wall(), MINUTE);
        advance_minutes(&clock, 110);
        assert_eq!(p.step(&s, &two_hours(), clock.wall(), MINUTE).warnings.len(), 1);
        advance_minutes(&clock, 30);

        let stale = Snapshot { stale: true, ..s.clone() };
        assert!(p.step(&stale, &two_hours(), clock.wall(), MINUTE).stops.is_empty(), "a stale snapshot");
        let failed = Snapshot {
            failures: vec![crate::hangar::AccountFailure {
                account: "acme".into(),
                error: crate::error::Error::Unavailable("down".into()).payload(),
            }],
            ..s.clone()
        };
        assert!(p.step(&failed, &two_hours(), clock.wall(), MINUTE).stops.is_empty(), "its account failed");
        let paused = Snapshot {
            accounts: vec![AccountStatus { account: "acme".into(), last_success: None, paused: true }],
            ..s.clone()
        };
        assert!(p.step(&paused, &two_hours(), clock.wall(), MINUTE).stops.is_empty(), "its account is paused");
        assert_eq!(p.step(&s, &two_hours(), clock.wall(), MINUTE).stops.len(), 1, "confirmed again: stopped");
    }

    #[test]
    fn stopped_in_between_is_a_new_run() {
        let clock = FakeClock::default();
        let mut p = AutoStopper::default();
        let running = snap(vec![gpu_box("g", WorkspaceState::Running)]);
        p.step(&running, &two_hours(), clock.wall(), MINUTE);
        advance_minutes(&clock, 110);
        assert_eq!(p.step(&running, &two_hours(), clock.wall(), MINUTE).warnings.len(), 1);
        p.step(&snap(vec![gpu_box("g", WorkspaceState::Stopped)]), &two_hours(), clock.wall(), MINUTE);
        advance_minutes(&clock, 10);
        assert_eq!(
            p.step(&running, &two_hours(), clock.wall(), MINUTE),
            Decisions::default(),
            "started again: two fresh hours"
        );
        advance_minutes(&clock, 110);
        assert_eq!(p.step(&running, &two_hours(), clock.wall(), MINUTE).warnings.len(), 1);
    }

    #[test]
    fn a_failed_stop_is_tried_again() {
        let clock = FakeClock::default();
        let mut p = AutoStopper::default();
        let s = snap(vec![gpu_box("g", WorkspaceState::Running)]);
        p.step(&s, &two_hours(), clock.wall(), MINUTE);
        advance_minutes(&clock, 110);
        p.step(&s, &two_hours(), clock.wall(), MINUTE);
        advance_minutes(&clock, 10);
        assert_eq!(p.step(&s, &two_hours(), clock.wall(), MINUTE).stops.len(), 1);
        p.stop_failed(&WorkspaceRef::new("acme", "g"));
        assert_eq!(p.step(&s, &two_hours(), clock.wall(), MINUTE).stops.len(), 1);
    }
}
