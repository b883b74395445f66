//! One profile the Node runs on (the user's accounts, or the demo clouds): its Hangar, its
//! watcher, and the task that turns the watcher's stream into Node events. Replacing the
//! session drops all of it.

use std::any::Any;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;

use super::{Node, NodeEvent};
use crate::clock::Clock;
use crate::error::Result;
use crate::hangar::Hangar;
use crate::watcher::{Cadence, Refreshed, Snapshot, StateChange, Watcher};

/// Opens the user's own profile (config dir and keyring).
pub type OpenProfile = Box<dyn Fn() -> Result<Arc<Hangar>> + Send + Sync>;

/// What makes a session the demo: the clouds it talks to (kept alive as long as it runs) and
/// how to open the user's own profile once they add a real account.
pub struct Demo {
    pub clouds: Box<dyn Any + Send + Sync>,
    pub real_profile: OpenProfile,
}

pub(super) struct Session {
    pub hangar: Arc<Hangar>,
    pub watcher: Arc<Watcher>,
    pub demo: Option<Demo>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl Session {
    pub fn new(hangar: Arc<Hangar>, demo: Option<Demo>, cadence: Cadence, clock: Arc<dyn Clock>) -> Session {
        let watcher = Watcher::with_clock(hangar.clone(), cadence, clock);
        Session { hangar, watcher, demo, tasks: Mutex::default() }
    }

    /// Starts polling, and turning what the watcher sees into `node`'s events.
    pub fn launch(&self, node: &Arc<Node>) {
        // Subscribed before the watcher's first poll can run, so none is missed.
        let feeds = Feeds {
            snapshots: self.watcher.snapshot(),
            polls: self.watcher.refreshed(),
            changes: self.watcher.changes(),
        };
        let pump = pump(Arc::downgrade(node), feeds);
        let mut tasks = self.tasks.lock().unwrap_or_else(|p| p.into_inner());
        tasks.push(node.runtime.spawn(self.watcher.clone().run()));
        tasks.push(node.runtime.spawn(pump));
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        for t in self.tasks.get_mut().unwrap_or_else(|p| p.into_inner()).iter() {
            t.abort();
        }
    }
}

/// What the pump reads from the watcher.
struct Feeds {
    snapshots: watch::Receiver<Snapshot>,
    polls: watch::Receiver<Refreshed>,
    changes: broadcast::Receiver<StateChange>,
}

/// The watcher's snapshots, polls and changes as Node events, with the notification
/// policy's batches closed on time.
async fn pump(node: Weak<Node>, feeds: Feeds) {
    let Feeds { mut snapshots, mut polls, mut changes } = feeds;
    loop {
        let Some(wait) = node.upgrade().map(|n| n.batch_wait()) else { return };
        tokio::select! {
            biased;
            changed = snapshots.changed() => {
                if changed.is_err() { return; }
                let snap = snapshots.borrow_and_update().clone();
                polls.borrow_and_update();
                let Some(n) = node.upgrade() else { return };
                n.remind(&snap);
                n.emit(NodeEvent::Snapshot(snap));
            }
            change = changes.recv() => match change {
                Ok(c) => {
                    let Some(n) = node.upgrade() else { return };
                    n.changed(c);
                }
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => return,
            },
            polled = polls.changed() => {
                if polled.is_err() { return; }
                let refreshed = polls.borrow_and_update().clone();
                let Some(n) = node.upgrade() else { return };
                let snap = snapshots.borrow().clone();
                n.remind(&snap);
                n.emit(NodeEvent::Refreshed(refreshed));
            }
            _ = sleep(wait) => {
                let Some(n) = node.upgrade() else { return };
                n.close_batch();
            }
        }
    }
}

async fn sleep(wait: Option<Duration>) {
    match wait {
        Some(d) => tokio::time::sleep(d).await,
        None => std::future::pending().await,
    }
}
