use std::time::Duration as StdDuration;

use super::*;
use crate::clock::{Clock, FakeClock};
use crate::model::ProviderId;

fn ws(id: &str, state: WorkspaceState) -> Workspace {
    Workspace::bare("acme", ProviderId::ALL[0], id, state)
}

fn priced(id: &str, state: WorkspaceState, rate: f64) -> Workspace {
    let mut w = ws(id, state);
    w.cost.rate = Some(if state == WorkspaceState::Running { rate } else { 0.0 });
    w.cost.currency = Some("USD".into());
    w
}

fn minutes(m: u64) -> StdDuration {
    StdDuration::from_secs(m * 60)
}

fn causes(l: &Ledger, id: &str) -> Vec<(Option<WorkspaceState>, WorkspaceState, Cause)> {
    l.record("acme", id).unwrap().transitions.iter().map(|t| (t.from, t.to, t.cause)).collect()
}

#[test]
fn polls_make_transitions_and_running_intervals() {
    let clock = FakeClock::default();
    let mut l = Ledger::default();
    assert!(l.observe(&priced("a", WorkspaceState::Stopped, 2.0), clock.wall(), true));
    assert!(!l.observe(&priced("a", WorkspaceState::Stopped, 2.0), clock.wall(), false), "nothing new");
    clock.advance(minutes(5));
    let started = clock.wall();
    l.observe(&priced("a", WorkspaceState::Running, 2.0), clock.wall(), false);
    clock.advance(minutes(90));
    l.observe(&priced("a", WorkspaceState::Stopped, 2.0), clock.wall(), false);

    use WorkspaceState::*;
    assert_eq!(
        causes(&l, "a"),
        [
            (None, Stopped, Cause::Vendor),
            (Some(Stopped), Running, Cause::Vendor),
            (Some(Running), Stopped, Cause::Vendor)
        ]
    );
    let r = l.record("acme", "a").unwrap();
    assert_eq!(r.intervals.len(), 1);
    assert_eq!(r.intervals[0].start, started);
    assert!(!r.intervals[0].estimated, "seen starting and stopping");
    let spent = l.spent("acme", "a", started - Duration::days(1), clock.wall());
    assert!((spent["USD"].amount - 3.0).abs() < 1e-9, "{spent:?}");
}

#[test]
fn the_cause_given_explains_the_way_to_a_settled_state_then_is_spent() {
    let clock = FakeClock::default();
    let mut l = Ledger::default();
    l.observe(&ws("a", WorkspaceState::Running), clock.wall(), true);
    l.caused("acme", "a", Cause::Tray, clock.wall());
    clock.advance(minutes(1));
    l.observe(&ws("a", WorkspaceState::Stopping), clock.wall(), false);
    clock.advance(minutes(1));
    l.observe(&ws("a", WorkspaceState::Stopped), clock.wall(), false);
    clock.advance(minutes(1));
    l.observe(&ws("a", WorkspaceState::Starting), clock.wall(), false);
    let got: Vec<Cause> = causes(&l, "a").into_iter().map(|c| c.2).collect();
    assert_eq!(got, [Cause::Vendor, Cause::Tray, Cause::Tray, Cause::Vendor]);

    l.caused("acme", "a", Cause::You, clock.wall());
    clock.advance(CAUSE_LASTS.to_std().unwrap() + minutes(1));
    l.observe(&ws("a", WorkspaceState::Running), clock.wall(), false);
    assert_eq!(causes(&l, "a").last().unwrap().2, Cause::Vendor, "a cause given long ago explains nothing");
}

#[test]
fn a_restart_trusts_the_vendor_start_time_and_marks_guesses() {
    let clock = FakeClock::default();
    let mut l = Ledger::default();
    let mut w = priced("a", WorkspaceState::Running, 1.0);
    w.started_at = Some(clock.wall() - Duration::hours(2));
    l.observe(&w, clock.wall(), true);
    let (since, estimated) = l.record("acme", "a").unwrap().running_since().unwrap();
    assert_eq!((since, estimated), (w.started_at.unwrap(), false), "first seen, but the vendor says when");

    // Hangar quits; the ledger is read back; the vendor still reports the same start.
    let mut l: Ledger = serde_json::from_str(&serde_json::to_string(&l).unwrap()).unwrap();
    clock.advance(minutes(300));
    assert!(!l.observe(&w, clock.wall(), true), "the same run, confirmed: nothing to change");

    // Restarted while Hangar was not looking.
    clock.advance(minutes(60));
    let mut again = w.clone();
    again.started_at = Some(clock.wall() - Duration::minutes(10));
    l.observe(&again, clock.wall(), true);
    let r = l.record("acme", "a").unwrap();
    assert_eq!(r.intervals.len(), 2);
    assert_eq!(r.intervals[0].end, again.started_at, "the old run ends at the latest where the new began");
    assert!(r.intervals[0].estimated);
    assert_eq!(r.running_since(), Some((again.started_at.unwrap(), false)));
}

#[test]
fn without_a_vendor_time_a_gap_is_an_estimate() {
    let clock = FakeClock::default();
    let mut l = Ledger::default();
    l.observe(&ws("a", WorkspaceState::Running), clock.wall(), true);
    assert!(l.record("acme", "a").unwrap().running_since().unwrap().1, "found running: since when is a guess");

    let mut l2 = Ledger::default();
    l2.observe(&ws("b", WorkspaceState::Stopped), clock.wall(), true);
    clock.advance(minutes(1));
    l2.observe(&ws("b", WorkspaceState::Running), clock.wall(), false);
    assert!(!l2.record("acme", "b").unwrap().running_since().unwrap().1, "seen starting");
    // Hangar restarts: the run it remembers is not confirmed by anyone.
    clock.advance(minutes(600));
    assert!(l2.observe(&ws("b", WorkspaceState::Running), clock.wall(), true));
    assert!(l2.record("acme", "b").unwrap().running_since().unwrap().1);
    // And one that stopped while Hangar was away ends at a guessed time.
    let mut l3 = l2.clone();
    l3.observe(&ws("b", WorkspaceState::Stopped), clock.wall(), true);
    assert!(l3.record("acme", "b").unwrap().intervals[0].estimated);
}

#[test]
fn a_clock_jumping_back_never_makes_negative_time() {
    let clock = FakeClock::default();
    let mut l = Ledger::default();
    l.observe(&priced("a", WorkspaceState::Stopped, 3.0), clock.wall(), true);
    clock.advance(minutes(120));
    let later = clock.wall();
    l.observe(&priced("a", WorkspaceState::Running, 3.0), later, false);
    let earlier = later - Duration::hours(1);
    l.observe(&priced("a", WorkspaceState::Stopped, 3.0), earlier, false);
    let r = l.record("acme", "a").unwrap();
    assert_eq!(r.intervals[0].end, Some(later), "an end before the start is the start");
    let spent = l.spent("acme", "a", earlier - Duration::days(1), later + Duration::days(1));
    assert!(spent.values().all(|s| s.amount >= 0.0), "{spent:?}");
    // A vendor start time in the future is not believed.
    let mut w = priced("b", WorkspaceState::Running, 1.0);
    w.started_at = Some(later + Duration::days(3));
    l.observe(&w, later, false);
    assert_eq!(l.record("acme", "b").unwrap().running_since().unwrap().0, later);
}

#[test]
fn spend_counts_only_the_running_time_inside_the_period_at_the_rate_it_ran() {
    let clock = FakeClock::default();
    let mut l = Ledger::default();
    l.observe(&priced("a", WorkspaceState::Stopped, 4.0), clock.wall(), true);
    clock.advance(minutes(1));
    let start = clock.wall();
    l.observe(&priced("a", WorkspaceState::Running, 4.0), start, false);
    clock.advance(minutes(120));
    l.observe(&priced("a", WorkspaceState::Stopped, 4.0), clock.wall(), false);
    let midnight = start + Duration::minutes(90);
    let today = l.spent("acme", "a", midnight, clock.wall() + Duration::hours(5));
    assert!((today["USD"].amount - 2.0).abs() < 1e-9, "30 min at 4/h after midnight: {today:?}");
    let by_account = l.spent_by_account(&["acme"], start, clock.wall());
    assert!((by_account["acme"]["USD"].amount - 8.0).abs() < 1e-9);
    assert!(l.spent_by_account(&["other"], start, clock.wall()).is_empty());
}

#[test]
fn a_workspace_missing_from_a_listing_is_gone() {
    let clock = FakeClock::default();
    let mut l = Ledger::default();
    l.observe(&ws("a", WorkspaceState::Running), clock.wall(), true);
    l.observe(&ws("b", WorkspaceState::Running), clock.wall(), true);
    let mut other = Workspace::bare("acme-2", ProviderId::ALL[0], "a", WorkspaceState::Running);
    other.account = "acme-2".into();
    l.observe(&other, clock.wall(), true);
    clock.advance(minutes(3));
    assert!(l.gone("acme", &["b"], clock.wall()));
    assert!(!l.gone("acme", &["b"], clock.wall()), "once");
    let r = l.record("acme", "a").unwrap();
    assert_eq!(r.state, Some(WorkspaceState::Deleted));
    assert!(r.intervals[0].end.is_some());
    assert_eq!(l.record("acme", "b").unwrap().state, Some(WorkspaceState::Running));
    assert_eq!(l.record("acme-2", "a").unwrap().state, Some(WorkspaceState::Running), "another account's is untouched");

    clock.advance(StdDuration::from_secs(31 * 86400));
    l.prune(clock.wall());
    assert!(l.record("acme", "a").is_none(), "deleted a month ago: forgotten");
}

#[test]
fn the_ledger_stays_bounded() {
    let clock = FakeClock::default();
    let mut l = Ledger::default();
    for i in 0..(MAX_TRANSITIONS + 50) {
        let state = if i % 2 == 0 { WorkspaceState::Running } else { WorkspaceState::Stopped };
        l.observe(&priced("a", state, 1.0), clock.wall(), false);
        clock.advance(minutes(1));
    }
    let r = l.record("acme", "a").unwrap();
    assert_eq!(r.transitions.len(), MAX_TRANSITIONS);
    assert!(r.intervals.len() <= MAX_INTERVALS);
    clock.advance(StdDuration::from_secs(70 * 86400));
    l.observe(&priced("a", WorkspaceState::Running, 1.0), clock.wall(), false);
    assert_eq!(l.record("acme", "a").unwrap().intervals.len(), 1, "runs older than two months are dropped");

    for i in 0..(MAX_WORKSPACES + 10) {
        l.observe(&ws(&format!("w{i}"), WorkspaceState::Stopped), clock.wall(), true);
        clock.advance(StdDuration::from_secs(1));
    }
    l.prune(clock.wall());
    assert_eq!(l.workspaces.len(), MAX_WORKSPACES);
    assert!(l.record("acme", "w1").is_none() && l.record("acme", &format!("w{}", MAX_WORKSPACES + 9)).is_some());
}

/// A large account listed twice: the second, unchanged listing changes nothing (with a bound
/// below the account's size, every poll pushed records out and wrote them back).
#[test]
fn an_unchanged_listing_of_a_large_account_changes_nothing() {
    let clock = FakeClock::default();
    let mut l = Ledger::default();
    let fleet: Vec<Workspace> = (0..2_000).map(|i| ws(&format!("w{i}"), WorkspaceState::Stopped)).collect();
    for w in &fleet {
        l.observe(w, clock.wall(), true);
    }
    l.prune(clock.wall());
    clock.advance(minutes(1));
    let again = fleet.iter().any(|w| l.observe(w, clock.wall(), false));
    assert!(!again, "an unchanged listing is no change");
    assert_eq!(l.workspaces.len(), 2_000);
}
