//! Budget alerts from the Node against a demo cloud, on a profile on disk: a crossing is told
//! once, and a restart on the same profile does not tell it again (`budget_alerts.json`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hangar_core::budget::Limits;
use hangar_core::http::HttpSettings;
use hangar_core::node::{Node, NodeEvent, Origin};
use hangar_core::notifications::{Note, NoteKind};
use hangar_core::secrets::{Credentials, MemoryStore};
use hangar_core::storage::{Paths, Storage};
use hangar_core::{Account, Hangar, ProviderId};
use hangar_demo::aether::{self, AetherDemo};
use hangar_demo::Timing;
use tokio::sync::broadcast::Receiver;

const TOKEN: &str = "hangar-test-secret-aether-budget-alerts";

async fn hangar_in(dir: &Path, d: &AetherDemo, add: bool) -> Arc<Hangar> {
    let http = HttpSettings { connect_timeout: Duration::from_secs(1), timeout: Duration::from_secs(2), retries: 0 };
    let secrets = Arc::new(MemoryStore::default());
    let h = Hangar::new(Storage::on_disk(Paths::resolve(Some(dir.into())).unwrap()), secrets, http);
    // The secrets are in memory: the restarted profile is given its token again.
    let a = Account {
        name: "a".into(),
        provider: ProviderId::Aether,
        base_url: Some(d.server.base_url.clone()),
        options: BTreeMap::new(),
    };
    if add {
        h.add_account(a, Credentials::single("token", TOKEN), false).await.unwrap();
    } else {
        h.change_credentials("a", Credentials::single("token", TOKEN)).await.unwrap();
    }
    Arc::new(h)
}

/// The budget notes while polls are asked for during `wait`.
async fn budget_notes(node: &Node, events: &mut Receiver<NodeEvent>, wait: Duration, until_one: bool) -> Vec<Note> {
    let deadline = Instant::now() + wait;
    let mut notes = vec![];
    while Instant::now() < deadline && (!until_one || notes.is_empty()) {
        node.refresh(Origin::Window);
        let _ = tokio::time::timeout(Duration::from_millis(300), async {
            while let Ok(e) = events.recv().await {
                if let NodeEvent::Notify(n) = e {
                    if n.kind == NoteKind::Budget {
                        notes.push(n);
                    }
                }
            }
        })
        .await;
    }
    notes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crossing_is_told_once_and_not_again_after_a_restart() {
    let timing = Timing { provision: Duration::from_millis(300), transition: Duration::from_millis(300) };
    let d = aether::start_with_token(timing, TOKEN.into()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();

    let node = Node::start(hangar_in(dir.path(), &d, true).await, None);
    let mut events = node.events();
    let mut settings = node.settings();
    settings.rates.gpu_per_hour.insert("a100-40gb".into(), 2.5);
    settings.budgets.all = Limits { daily: Some(0.0001), monthly: None };
    node.save_settings(settings, Origin::Window).unwrap();
    let told = budget_notes(&node, &mut events, Duration::from_secs(60), true).await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0].summary, "Daily budget reached");
    let again = budget_notes(&node, &mut events, Duration::from_secs(3), false).await;
    assert!(again.is_empty(), "told once: {again:?}");
    drop(events);
    drop(node);

    let restarted = Node::start(hangar_in(dir.path(), &d, false).await, None);
    let mut events = restarted.events();
    let after = budget_notes(&restarted, &mut events, Duration::from_secs(5), false).await;
    assert!(after.is_empty(), "a restart does not tell it again: {after:?}");
    assert!(dir.path().join("budget_alerts.json").exists());
}
