//! The only poller. Each account is refreshed on its own schedule, in parallel: fast while
//! one of its workspaces is in transition or was just acted on, slowly when all is settled,
//! backing off on errors, honouring Retry-After, and paused while it needs a new sign-in.
//! It publishes the current snapshot when what it shows changed, a change event whenever a
//! workspace's normalized state changes (never on first sight, never for a repeated state),
//! and a small "refreshed" stamp after every poll. A poll that changed nothing wakes no
//! snapshot subscriber and writes no file.
//!
//! While something is in transition the cadence eases off: fast just after an action or the
//! start of a transition, slower as it drags on (GPU capacity can be minutes away).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant as ClockInstant};

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::{broadcast, watch, Notify};
use tokio::time::Instant;
use ts_rs::TS;

use crate::clock::{Clock, SystemClock};
use crate::error::{Error, ErrorCode};
use crate::hangar::{AccountFailure, Hangar};
use crate::http::MAX_RETRY_AFTER_SECS;
use crate::model::{Workspace, WorkspaceState};
use crate::settings::RefreshSettings;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct StateChange {
    pub account: String,
    pub id: String,
    pub name: String,
    pub from: WorkspaceState,
    pub to: WorkspaceState,
    pub raw_state: String,
    /// The provider's reason, when the workspace errored.
    pub reason: Option<String>,
    /// Whether the workspace has a GPU (notifications and the tray count those).
    pub gpu: bool,
    #[ts(type = "string")]
    pub at: DateTime<Utc>,
}

/// Everything the window and tray show: the workspaces, and which accounts failed.
#[derive(Debug, Clone, Default, Serialize, TS)]
#[ts(export)]
pub struct Snapshot {
    pub workspaces: Vec<Workspace>,
    pub failures: Vec<AccountFailure>,
    /// Every account with its last successful refresh.
    pub accounts: Vec<AccountStatus>,
    /// True until every account has answered once since launch (cards come from the cache).
    pub stale: bool,
    #[ts(type = "string | null")]
    pub refreshed_at: Option<DateTime<Utc>>,
    /// What the running workspaces cost together.
    pub totals: crate::cost::Totals,
}

impl Snapshot {
    /// Whether two snapshots show the same thing (their time stamps aside).
    pub fn shows_the_same(&self, other: &Snapshot) -> bool {
        let status = |s: &Snapshot| -> Vec<(String, bool)> {
            s.accounts.iter().map(|a| (a.account.clone(), a.paused)).collect()
        };
        let failures = |s: &Snapshot| -> Vec<(String, ErrorCode, String)> {
            s.failures.iter().map(|f| (f.account.clone(), f.error.code, f.error.message.clone())).collect()
        };
        self.stale == other.stale
            && same_cards(&self.workspaces, &other.workspaces)
            && failures(self) == failures(other)
            && status(self) == status(other)
    }
}

/// The same workspaces, showing the same (totals follow from them and from time).
fn same_cards(a: &[Workspace], b: &[Workspace]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.shows_the_same(y))
}

/// A poll finished: when, and every account's last success (the window's "refreshed" note).
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Refreshed {
    #[ts(type = "string | null")]
    pub at: Option<DateTime<Utc>>,
    pub accounts: Vec<AccountStatus>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct AccountStatus {
    pub account: String,
    #[ts(type = "string | null")]
    pub last_success: Option<DateTime<Utc>>,
    /// Paused until the user signs in again or presses Retry.
    pub paused: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct Cadence {
    pub fast: Duration,
    pub slow: Duration,
    /// How long after a user's action an account keeps being polled fast.
    pub after_action: Duration,
}

impl Default for Cadence {
    fn default() -> Self {
        Cadence { fast: Duration::from_secs(2), slow: Duration::from_secs(60), after_action: Duration::from_secs(20) }
    }
}

impl From<RefreshSettings> for Cadence {
    /// The user's intervals, kept within their bounds.
    fn from(r: RefreshSettings) -> Self {
        let r = r.clamped();
        Cadence {
            fast: Duration::from_secs(r.transitional_secs.into()),
            slow: Duration::from_secs(r.settled_secs.into()),
            ..Cadence::default()
        }
    }
}

/// How the interval grows while a transition drags on: (for how long it has lasted, interval).
const EASING: [(Duration, Duration); 3] = [
    (Duration::from_secs(2 * 60), Duration::from_secs(5)),
    (Duration::from_secs(4 * 60), Duration::from_secs(10)),
    (Duration::from_secs(9 * 60), Duration::from_secs(20)),
];

impl Cadence {
    /// The interval while busy for `busy_for` (since an action or the start of a transition):
    /// the fast one for two minutes, then 5 s, 10 s from 4 min, 20 s from 9 min; never faster
    /// than the user's transitional interval nor slower than the settled one.
    pub fn busy_interval(&self, busy_for: Duration) -> Duration {
        let step = EASING.iter().rev().find(|(after, _)| busy_for >= *after).map_or(self.fast, |(_, step)| *step);
        step.max(self.fast).min(self.slow.max(self.fast))
    }

    fn interval(&self, busy_for: Option<Duration>) -> Duration {
        match busy_for {
            Some(d) => self.busy_interval(d),
            None => self.slow,
        }
    }
}

/// What the watcher knows of one account.
#[derive(Default)]
struct AccountBoard {
    workspaces: Vec<Workspace>,
    failure: Option<Error>,
    answered: bool,
    due: Option<Instant>,
    in_flight: bool,
    /// Needs a new sign-in: polling it again would only repeat the same 401.
    paused: bool,
    errors_in_row: u32,
    acted_at: Option<ClockInstant>,
    /// Since when this account has been busy (an action, or a workspace in transition).
    busy_since: Option<ClockInstant>,
    /// When the last successful list answered, and for how long it had been busy then; a
    /// new cadence reschedules from there.
    answered_at: Option<(Instant, Option<Duration>)>,
    polls: u64,
    last_success: Option<DateTime<Utc>>,
}

#[derive(Default)]
struct Board {
    accounts: HashMap<String, AccountBoard>,
    /// Last known state of every workspace, seeded from the cache.
    known: HashMap<Key, Seen>,
}

#[derive(Clone)]
struct Seen {
    state: WorkspaceState,
    name: String,
    gpu: bool,
}

impl Seen {
    fn of(w: &Workspace) -> Seen {
        Seen { state: w.state, name: w.name.clone(), gpu: w.hardware.gpu.is_some() }
    }
}

type Key = (String, String);

pub struct Watcher {
    hangar: Arc<Hangar>,
    clock: Arc<dyn Clock>,
    cadence: Mutex<Cadence>,
    snapshot: watch::Sender<Snapshot>,
    refreshed: watch::Sender<Refreshed>,
    changes: broadcast::Sender<StateChange>,
    wake: Notify,
    board: Mutex<Board>,
}

impl Watcher {
    pub fn new(hangar: Arc<Hangar>, cadence: Cadence) -> Arc<Watcher> {
        Watcher::with_clock(hangar, cadence, Arc::new(SystemClock))
    }

    /// A watcher whose cadence steps follow `clock` (tests move it by hand).
    pub fn with_clock(hangar: Arc<Hangar>, cadence: Cadence, clock: Arc<dyn Clock>) -> Arc<Watcher> {
        let cached = hangar.storage().cached_workspaces();
        let mut board = Board::default();
        for w in &cached {
            board.known.insert(key(w), Seen::of(w));
            board.accounts.entry(w.account.clone()).or_default().workspaces.push(w.clone());
        }
        let (snapshot, _) = watch::channel(Snapshot { workspaces: cached, stale: true, ..Snapshot::default() });
        let (changes, _) = broadcast::channel(256);
        Arc::new(Watcher {
            hangar,
            clock,
            cadence: Mutex::new(cadence),
            snapshot,
            refreshed: watch::channel(Refreshed::default()).0,
            changes,
            wake: Notify::new(),
            board: Mutex::new(board),
        })
    }

    /// Changes when what the snapshot shows changed; its value is always the newest.
    pub fn snapshot(&self) -> watch::Receiver<Snapshot> {
        self.snapshot.subscribe()
    }

    /// Changes after every poll, whether or not it changed anything.
    pub fn refreshed(&self) -> watch::Receiver<Refreshed> {
        self.refreshed.subscribe()
    }

    pub fn changes(&self) -> broadcast::Receiver<StateChange> {
        self.changes.subscribe()
    }

    pub fn current(&self) -> Snapshot {
        self.snapshot.borrow().clone()
    }

    fn cadence(&self) -> Cadence {
        *self.cadence.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Uses new intervals from now on: each settled account's next poll moves to its last
    /// answer plus the new interval (at once if that has passed).
    pub fn set_cadence(&self, cadence: Cadence) {
        *self.cadence.lock().unwrap_or_else(|p| p.into_inner()) = cadence;
        self.with_board(|b| {
            for a in b.accounts.values_mut().filter(|a| !a.in_flight && a.errors_in_row == 0) {
                if let Some((at, busy_for)) = a.answered_at {
                    a.due = Some(at + cadence.interval(busy_for));
                }
            }
        });
        self.wake.notify_one();
    }

    /// When this account's next poll is due (tests read it).
    pub fn next_poll(&self, account: &str) -> Option<Instant> {
        self.with_board(|b| b.accounts.get(account).and_then(|a| a.due))
    }

    fn with_board<T>(&self, f: impl FnOnce(&mut Board) -> T) -> T {
        let mut guard = self.board.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }

    /// The user just acted on one of this account's workspaces: refresh it now and follow it fast.
    pub fn acted(&self, account: &str) {
        self.with_board(|b| {
            let a = b.accounts.entry(account.to_string()).or_default();
            let now = self.clock.now();
            a.acted_at = Some(now);
            a.busy_since = Some(now);
            a.due = Some(Instant::now());
        });
        self.wake.notify_one();
    }

    /// Refresh every account now, including paused ones (window focused, account changed,
    /// the user pressed Retry, the machine woke up).
    pub fn refresh(&self) {
        self.with_board(|b| {
            for a in b.accounts.values_mut() {
                a.paused = false;
                a.due = Some(Instant::now());
            }
        });
        self.wake.notify_one();
    }

    /// How many list calls this account has had (benchmarks and tests read it).
    pub fn polls(&self, account: &str) -> u64 {
        self.with_board(|b| b.accounts.get(account).map_or(0, |a| a.polls))
    }

    /// Runs until the process ends.
    pub async fn run(self: Arc<Self>) {
        let mut wall = Utc::now();
        let mut mono = Instant::now();
        loop {
            // Monotonic time stops while the machine sleeps; wall time does not.
            let slept = (Utc::now() - wall).to_std().unwrap_or_default().saturating_sub(mono.elapsed());
            if slept > Duration::from_secs(30) {
                self.refresh();
            }
            (wall, mono) = (Utc::now(), Instant::now());

            let due = self.due_accounts();
            for account in due {
                let me = self.clone();
                tokio::spawn(async move { me.refresh_account(&account).await });
            }
            let next = self
                .with_board(|b| b.accounts.values().filter(|a| !a.in_flight && !a.paused).filter_map(|a| a.due).min());
            let until = next.unwrap_or_else(|| Instant::now() + self.cadence().slow).max(Instant::now());
            tokio::select! {
                _ = tokio::time::sleep_until(until.min(Instant::now() + Duration::from_secs(30))) => {}
                _ = self.wake.notified() => {}
            }
        }
    }

    /// Accounts whose refresh is due now; marks them in flight. Picks up added and removed accounts.
    fn due_accounts(&self) -> Vec<String> {
        let names: Vec<String> = match self.hangar.accounts() {
            Ok(list) => list.into_iter().map(|a| a.name).collect(),
            Err(e) => {
                tracing::warn!(code = e.code(), "account list unreadable");
                return vec![];
            }
        };
        let now = Instant::now();
        let removed = self.with_board(|b| {
            let before = b.accounts.len();
            b.accounts.retain(|name, _| names.contains(name));
            b.known.retain(|(account, _), _| names.contains(account));
            for n in &names {
                b.accounts.entry(n.clone()).or_default();
            }
            b.accounts.len() != before
        });
        if removed {
            self.publish();
        }
        self.with_board(|b| {
            b.accounts
                .iter_mut()
                .filter(|(_, a)| !a.in_flight && !a.paused && a.due.is_none_or(|d| d <= now))
                .map(|(name, a)| {
                    a.in_flight = true;
                    name.clone()
                })
                .collect()
        })
    }

    /// Refreshes every account now and waits for all of them (tests, one-shot callers).
    pub async fn tick(&self) {
        let names: Vec<String> =
            self.hangar.accounts().map(|l| l.into_iter().map(|a| a.name).collect()).unwrap_or_default();
        futures::future::join_all(names.iter().map(|n| self.refresh_account(n))).await;
    }

    async fn refresh_account(&self, account: &str) {
        let result = self.hangar.list(Some(account)).await.and_then(|l| match l.failures.into_iter().next() {
            Some((_, e)) => Err(e),
            None => Ok(l.workspaces),
        });
        let now = Instant::now();
        let clock_now = self.clock.now();
        let cadence = self.cadence();
        let changes = self.with_board(|b| {
            let Board { accounts, known } = b;
            let a = accounts.entry(account.to_string()).or_default();
            a.in_flight = false;
            a.answered = true;
            a.polls += 1;
            let mut changes = vec![];
            match result {
                Ok(list) => {
                    a.failure = None;
                    a.last_success = Some(Utc::now());
                    a.errors_in_row = 0;
                    let acted = a.acted_at.is_some_and(|t| clock_now.duration_since(t) < cadence.after_action);
                    let busy = acted || list.iter().any(|w| w.state.is_transitional());
                    a.busy_since = if busy { Some(a.busy_since.unwrap_or(clock_now)) } else { None };
                    let busy_for = a.busy_since.map(|t| clock_now.duration_since(t));
                    a.due = Some(now + cadence.interval(busy_for));
                    a.answered_at = Some((now, busy_for));
                    changes = diff(account, known, &list);
                    a.workspaces = list;
                }
                Err(e) => {
                    a.errors_in_row += 1;
                    let wait = match &e {
                        Error::RateLimited { retry_after_secs: Some(s), .. } => {
                            Duration::from_secs((*s).min(MAX_RETRY_AFTER_SECS)).max(cadence.fast)
                        }
                        _ => backoff(cadence, a.errors_in_row),
                    };
                    a.due = Some(now.checked_add(wait).unwrap_or(now + Duration::from_secs(MAX_RETRY_AFTER_SECS)));
                    if matches!(e, Error::Unauthorized(_)) {
                        a.paused = true;
                    }
                    tracing::warn!(account, code = e.code(), "refresh failed");
                    a.failure = Some(e);
                }
            }
            changes
        });
        for c in changes {
            let _ = self.changes.send(c);
        }
        self.publish();
        self.wake.notify_one();
    }

    fn publish(&self) {
        let snap = self.with_board(|b| {
            let mut workspaces: Vec<Workspace> = b.accounts.values().flat_map(|a| a.workspaces.clone()).collect();
            workspaces.sort_by(|x, y| (&x.account, &x.name, &x.id).cmp(&(&y.account, &y.name, &y.id)));
            let mut failures: Vec<AccountFailure> = b
                .accounts
                .iter()
                .filter_map(|(name, a)| {
                    a.failure.as_ref().map(|e| AccountFailure { account: name.clone(), error: e.payload() })
                })
                .collect();
            failures.sort_by(|x, y| x.account.cmp(&y.account));
            let stale = b.accounts.values().any(|a| !a.answered);
            let mut accounts: Vec<AccountStatus> = b
                .accounts
                .iter()
                .map(|(name, a)| AccountStatus {
                    account: name.clone(),
                    last_success: a.last_success,
                    paused: a.paused,
                })
                .collect();
            accounts.sort_by(|x, y| x.account.cmp(&y.account));
            let totals = self.hangar.totals(&workspaces);
            Snapshot { workspaces, failures, accounts, stale, refreshed_at: Some(self.clock.wall()), totals }
        });
        let refreshed = Refreshed { at: snap.refreshed_at, accounts: snap.accounts.clone() };
        let cards_changed = !same_cards(&self.snapshot.borrow().workspaces, &snap.workspaces);
        // A poll that changed nothing writes nothing.
        if cards_changed {
            if let Err(e) = self.hangar.storage().cache_workspaces(&snap.workspaces) {
                tracing::warn!(code = e.code(), "cache write failed");
            }
        }
        // The newest value is kept either way; subscribers wake only when it shows something new.
        self.snapshot.send_if_modified(|current| {
            let changed = !current.shows_the_same(&snap);
            *current = snap;
            changed
        });
        self.refreshed.send_replace(refreshed);
    }
}

fn backoff(cadence: Cadence, errors_in_row: u32) -> Duration {
    let factor = 2u32.saturating_pow(errors_in_row.min(10));
    cadence.fast.saturating_mul(factor).min(cadence.slow)
}

/// Changes between what was known of an account and its fresh list; updates `known`.
fn diff(account: &str, known: &mut HashMap<Key, Seen>, list: &[Workspace]) -> Vec<StateChange> {
    let at = Utc::now();
    let mut out = vec![];
    for w in list {
        if let Some(Seen { state: before, .. }) = known.insert(key(w), Seen::of(w)) {
            if before != w.state {
                out.push(StateChange {
                    account: w.account.clone(),
                    id: w.id.clone(),
                    name: w.name.clone(),
                    from: before,
                    to: w.state,
                    raw_state: w.raw_state.clone(),
                    reason: w.error.clone(),
                    gpu: w.hardware.gpu.is_some(),
                    at,
                });
            }
        }
    }
    let gone: Vec<(Key, Seen)> = known
        .iter()
        .filter(|((a, id), _)| a == account && !list.iter().any(|w| &w.id == id))
        .map(|(k, s)| (k.clone(), s.clone()))
        .collect();
    for ((account, id), before) in gone {
        known.remove(&(account.clone(), id.clone()));
        if before.state != WorkspaceState::Deleted {
            out.push(StateChange {
                account,
                id,
                name: before.name,
                from: before.state,
                to: WorkspaceState::Deleted,
                raw_state: "deleted".into(),
                reason: None,
                gpu: before.gpu,
                at,
            });
        }
    }
    out
}

fn key(w: &Workspace) -> Key {
    (w.account.clone(), w.id.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_slow_interval() {
        let c = Cadence { fast: Duration::from_secs(2), slow: Duration::from_secs(60), after_action: Duration::ZERO };
        assert_eq!(backoff(c, 1), Duration::from_secs(4));
        assert_eq!(backoff(c, 3), Duration::from_secs(16));
        assert_eq!(backoff(c, 30), Duration::from_secs(60));
    }

    #[test]
    fn a_long_transition_is_polled_less_and_less_often() {
        let c = Cadence::default();
        let at = |mins: u64, secs: u64| c.busy_interval(Duration::from_secs(mins * 60 + secs));
        assert_eq!(at(0, 0), Duration::from_secs(2));
        assert_eq!(at(1, 59), Duration::from_secs(2), "fast for the first two minutes");
        assert_eq!(at(2, 0), Duration::from_secs(5));
        assert_eq!(at(3, 59), Duration::from_secs(5));
        assert_eq!(at(4, 0), Duration::from_secs(10));
        assert_eq!(at(9, 0), Duration::from_secs(20));
        assert_eq!(at(600, 0), Duration::from_secs(20), "capped");
    }

    #[test]
    fn the_users_intervals_bound_the_easing() {
        let slow_fast = Cadence::from(RefreshSettings { transitional_secs: 15, settled_secs: 60 });
        assert_eq!(slow_fast.busy_interval(Duration::ZERO), Duration::from_secs(15));
        assert_eq!(slow_fast.busy_interval(Duration::from_secs(300)), Duration::from_secs(15));
        assert_eq!(slow_fast.busy_interval(Duration::from_secs(3600)), Duration::from_secs(20));
        let short_settled =
            Cadence { fast: Duration::from_millis(150), slow: Duration::from_millis(1500), ..Cadence::default() };
        assert_eq!(short_settled.busy_interval(Duration::from_secs(3600)), Duration::from_millis(1500));
    }

    #[test]
    fn saved_intervals_become_the_cadence_within_their_bounds() {
        let c = Cadence::from(RefreshSettings { transitional_secs: 5, settled_secs: 120 });
        assert_eq!((c.fast, c.slow), (Duration::from_secs(5), Duration::from_secs(120)));
        assert_eq!(c.after_action, Cadence::default().after_action, "following an action is not a setting");
        let c = Cadence::from(RefreshSettings { transitional_secs: 0, settled_secs: 1_000_000 });
        assert_eq!((c.fast, c.slow), (Duration::from_secs(2), Duration::from_secs(3600)), "clamped to the bounds");
    }
}
