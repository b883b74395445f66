//! The only poller. It refreshes every account in parallel, fast while something is in
//! transition (or was just acted on) and slowly when all is settled, and publishes the
//! current snapshot plus a change event whenever a workspace's normalized state changes.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::{broadcast, watch, Notify};
use ts_rs::TS;

use crate::hangar::{AccountFailure, Hangar};
use crate::model::{Workspace, WorkspaceState};

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct StateChange {
    pub account: String,
    pub id: String,
    pub name: String,
    pub from: WorkspaceState,
    pub to: WorkspaceState,
    pub raw_state: String,
    #[ts(type = "string")]
    pub at: DateTime<Utc>,
}

/// Everything the window and tray show: the workspaces, and which accounts failed.
#[derive(Debug, Clone, Default, Serialize, TS)]
#[ts(export)]
pub struct Snapshot {
    pub workspaces: Vec<Workspace>,
    pub failures: Vec<AccountFailure>,
    /// True until the first refresh after launch answers (cards come from the cache).
    pub stale: bool,
    #[ts(type = "string | null")]
    pub refreshed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy)]
pub struct Cadence {
    pub fast: Duration,
    pub slow: Duration,
    /// How long after a user's action the watcher keeps polling fast.
    pub after_action: Duration,
}

impl Default for Cadence {
    fn default() -> Self {
        Cadence { fast: Duration::from_secs(2), slow: Duration::from_secs(60), after_action: Duration::from_secs(20) }
    }
}

pub struct Watcher {
    hangar: Arc<Hangar>,
    cadence: Cadence,
    snapshot: watch::Sender<Snapshot>,
    changes: broadcast::Sender<StateChange>,
    wake: Notify,
    acted_at: std::sync::Mutex<Option<tokio::time::Instant>>,
}

type Key = (String, String);

impl Watcher {
    pub fn new(hangar: Arc<Hangar>, cadence: Cadence) -> Arc<Watcher> {
        let cached = hangar.storage().cached_workspaces();
        let (snapshot, _) =
            watch::channel(Snapshot { workspaces: cached, failures: vec![], stale: true, refreshed_at: None });
        let (changes, _) = broadcast::channel(256);
        Arc::new(Watcher { hangar, cadence, snapshot, changes, wake: Notify::new(), acted_at: Default::default() })
    }

    pub fn snapshot(&self) -> watch::Receiver<Snapshot> {
        self.snapshot.subscribe()
    }

    pub fn changes(&self) -> broadcast::Receiver<StateChange> {
        self.changes.subscribe()
    }

    pub fn current(&self) -> Snapshot {
        self.snapshot.borrow().clone()
    }

    /// Refresh now, and poll fast for a while: the user just did something.
    pub fn poke(&self) {
        if let Ok(mut t) = self.acted_at.lock() {
            *t = Some(tokio::time::Instant::now());
        }
        self.wake.notify_one();
    }

    /// Refresh now without changing the cadence (window focused, account added).
    pub fn refresh(&self) {
        self.wake.notify_one();
    }

    /// Runs until the process ends.
    pub async fn run(self: Arc<Self>) {
        // Known states seed from the cache, so a restart does not re-announce everything.
        let mut known: HashMap<Key, (WorkspaceState, String)> =
            self.current().workspaces.iter().map(|w| (key(w), (w.state, w.name.clone()))).collect();
        loop {
            let busy = self.tick(&mut known).await;
            let recently_acted =
                self.acted_at.lock().ok().and_then(|t| *t).is_some_and(|t| t.elapsed() < self.cadence.after_action);
            let wait = if busy || recently_acted { self.cadence.fast } else { self.cadence.slow };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = self.wake.notified() => {}
            }
        }
    }

    /// One refresh of every account; returns whether anything is in transition.
    pub async fn tick(&self, known: &mut HashMap<Key, (WorkspaceState, String)>) -> bool {
        let listing = match self.hangar.list(None).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(code = e.code(), "refresh failed");
                return false;
            }
        };
        let failed: Vec<&str> = listing.failures.iter().map(|(a, _)| a.as_str()).collect();
        let now = Utc::now();
        let mut seen = HashMap::new();
        for w in &listing.workspaces {
            let k = key(w);
            if let Some((before, _)) = known.get(&k) {
                if *before != w.state {
                    self.emit(
                        w.account.clone(),
                        w.id.clone(),
                        w.name.clone(),
                        *before,
                        w.state,
                        w.raw_state.clone(),
                        now,
                    );
                }
            }
            seen.insert(k, (w.state, w.name.clone()));
        }
        // Gone from a list that answered: deleted. Accounts that failed keep what we knew.
        for ((account, id), (before, name)) in known.iter() {
            if let std::collections::hash_map::Entry::Vacant(slot) = seen.entry((account.clone(), id.clone())) {
                if failed.contains(&account.as_str()) {
                    slot.insert((*before, name.clone()));
                } else if *before != WorkspaceState::Deleted {
                    self.emit(
                        account.clone(),
                        id.clone(),
                        name.clone(),
                        *before,
                        WorkspaceState::Deleted,
                        "deleted".into(),
                        now,
                    );
                }
            }
        }
        *known = seen;

        let mut workspaces = listing.workspaces;
        // A failing account's cards stay, from what we knew, so nothing vanishes on a 500.
        let previous = self.current().workspaces;
        workspaces.extend(previous.into_iter().filter(|w| failed.contains(&w.account.as_str())));
        workspaces.sort_by(|a, b| (&a.account, &a.name, &a.id).cmp(&(&b.account, &b.name, &b.id)));
        if let Err(e) = self.hangar.storage().cache_workspaces(&workspaces) {
            tracing::warn!(code = e.code(), "cache write failed");
        }
        let busy = workspaces.iter().any(|w| w.state.is_transitional());
        let failures =
            listing.failures.into_iter().map(|(account, e)| AccountFailure { account, error: e.payload() }).collect();
        self.snapshot.send_replace(Snapshot { workspaces, failures, stale: false, refreshed_at: Some(now) });
        busy
    }

    #[allow(clippy::too_many_arguments)]
    fn emit(
        &self,
        account: String,
        id: String,
        name: String,
        from: WorkspaceState,
        to: WorkspaceState,
        raw_state: String,
        at: DateTime<Utc>,
    ) {
        let _ = self.changes.send(StateChange { account, id, name, from, to, raw_state, at });
    }
}

fn key(w: &Workspace) -> Key {
    (w.account.clone(), w.id.clone())
}
