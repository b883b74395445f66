//! The opt-in stop policy run by the Node against a demo cloud: a GPU workspace past its limit
//! is warned of, then stopped at the cloud as Hangar's own act (the timeline says `policy`).
//! A policy minute lasts 10 ms here (`HANGAR_DEBUG_POLICY_MINUTE_MS`, read by debug builds
//! only), set before the one Node of this test binary starts.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hangar_core::history::Cause;
use hangar_core::http::HttpSettings;
use hangar_core::node::{Node, NodeEvent, Origin};
use hangar_core::notifications::{NoteAction, NoteKind};
use hangar_core::secrets::{Credentials, MemoryStore};
use hangar_core::storage::Storage;
use hangar_core::{Account, Hangar, ProviderId, WorkspaceState};
use hangar_demo::aether;
use hangar_demo::Timing;

const TOKEN: &str = "hangar-test-secret-aether-auto-stop";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gpu_workspace_past_its_limit_is_warned_of_then_stopped_by_the_policy() {
    std::env::set_var("HANGAR_DEBUG_POLICY_MINUTE_MS", "10");
    let timing = Timing { provision: Duration::from_millis(300), transition: Duration::from_millis(300) };
    let d = aether::start_with_token(timing, TOKEN.into()).await.unwrap();
    let http = HttpSettings { connect_timeout: Duration::from_secs(1), timeout: Duration::from_secs(2), retries: 0 };
    let hangar = Hangar::new(Storage::in_memory(), Arc::new(MemoryStore::default()), http);
    let account = Account {
        name: "a".into(),
        provider: ProviderId::Aether,
        base_url: Some(d.server.base_url.clone()),
        options: BTreeMap::new(),
    };
    hangar.add_account(account, Credentials::single("token", TOKEN), false).await.unwrap();
    let node = Node::start(Arc::new(hangar), None);
    let mut events = node.events();
    let gpu = loop {
        let snap = node.snapshot();
        if !snap.stale {
            break snap.workspaces.into_iter().find(|w| w.hardware.gpu.is_some() && w.state == WorkspaceState::Running);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    .expect("the demo runs a GPU box");
    let mut settings = node.settings();
    settings.auto_stop.gpu_max_hours = Some(1);
    node.save_settings(settings, Origin::Window).unwrap();

    // The policy steps after each poll; polls are asked for until the stop is seen.
    let deadline = Instant::now() + Duration::from_secs(60);
    let (mut warned, mut stopped) = (None, false);
    while !stopped {
        assert!(Instant::now() < deadline, "no automatic stop within 60 s (warned: {warned:?})");
        node.refresh(Origin::Policy);
        let _ = tokio::time::timeout(Duration::from_millis(200), async {
            while let Ok(e) = events.recv().await {
                match e {
                    NodeEvent::Notify(n) if n.kind == NoteKind::AutoStop => warned = Some(n),
                    NodeEvent::StateChange(c) if c.id == gpu.id && c.to != WorkspaceState::Running => {
                        assert!(warned.is_some(), "stopped before it was warned of");
                        stopped = true;
                    }
                    NodeEvent::Notify(n) if n.kind == NoteKind::ActionFailed => panic!("{n:?}"),
                    _ => {}
                }
            }
        })
        .await;
    }
    let warning = warned.unwrap();
    assert!(warning.body.contains(&gpu.name), "{}", warning.body);
    assert!(matches!(&warning.actions[..], [NoteAction::KeepRunning { .. }]), "{:?}", warning.actions);
    let timeline = node.details("a", &gpu.id).await.unwrap().timeline;
    let last = timeline.last().unwrap();
    assert_eq!(last.cause, Cause::Policy, "the timeline names Hangar's policy: {timeline:?}");
}
