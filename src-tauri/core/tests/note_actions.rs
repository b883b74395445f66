//! A notification's buttons, run by the Node against a demo cloud over real sockets: Stop
//! stops at the cloud as the user's own act, Open answers the browser link, a failure is told
//! as a note; budgets and the stop policy refuse bad settings by field.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use hangar_core::http::HttpSettings;
use hangar_core::node::{FollowUp, Node, NodeEvent};
use hangar_core::notifications::{NoteAction, NoteKind, WorkspaceRef};
use hangar_core::secrets::{Credentials, MemoryStore};
use hangar_core::storage::Storage;
use hangar_core::{Account, Hangar, LinkKind, ProviderId, WorkspaceState};
use hangar_demo::aether::{self, AetherDemo};
use hangar_demo::Timing;
use tokio::sync::broadcast::Receiver;

const TOKEN: &str = "hangar-test-secret-aether-note-actions";

async fn demo() -> AetherDemo {
    let timing = Timing { provision: Duration::from_millis(300), transition: Duration::from_millis(300) };
    aether::start_with_token(timing, TOKEN.into()).await.unwrap()
}

async fn hangar_on(account: &str, d: &AetherDemo) -> Arc<Hangar> {
    let http = HttpSettings { connect_timeout: Duration::from_secs(1), timeout: Duration::from_secs(2), retries: 0 };
    let h = Hangar::new(Storage::in_memory(), Arc::new(MemoryStore::default()), http);
    let a = Account {
        name: account.into(),
        provider: ProviderId::Aether,
        base_url: Some(d.server.base_url.clone()),
        options: BTreeMap::new(),
    };
    h.add_account(a, Credentials::single("token", TOKEN), false).await.unwrap();
    Arc::new(h)
}

async fn next<T>(events: &mut Receiver<NodeEvent>, secs: u64, mut pick: impl FnMut(&NodeEvent) -> Option<T>) -> T {
    tokio::time::timeout(Duration::from_secs(secs), async {
        loop {
            let e = events.recv().await.expect("the node is running");
            if let Some(t) = pick(&e) {
                return t;
            }
        }
    })
    .await
    .expect("the event came in time")
}

async fn settled_node(hangar: Arc<Hangar>) -> (Arc<Node>, Receiver<NodeEvent>) {
    let node = Node::start(hangar, None);
    let mut events = node.events();
    next(&mut events, 20, |e| matches!(e, NodeEvent::Snapshot(s) if !s.stale).then_some(())).await;
    (node, events)
}

#[tokio::test]
async fn stop_from_a_notification_stops_at_the_cloud_and_is_announced_as_the_users_act() {
    let d = demo().await;
    let (node, mut events) = settled_node(hangar_on("a", &d).await).await;
    // The window has focus: a window action would not be announced, this one is.
    node.set_focused(true);
    let id = node.snapshot().workspaces.into_iter().find(|w| w.state == WorkspaceState::Running).unwrap().id;
    let stop = NoteAction::Stop { workspaces: vec![WorkspaceRef::new("a", &id)] };
    assert_eq!(node.run_note_action(&stop).await.unwrap(), FollowUp::Nothing);

    // The cloud itself says so, asked by another client.
    let other = hangar_on("b", &d).await;
    let listed = other.list(None).await.unwrap();
    let state = listed.workspaces.iter().find(|w| w.id == id).unwrap().state;
    assert!(matches!(state, WorkspaceState::Stopping | WorkspaceState::Stopped), "{state:?}");
    let note = next(&mut events, 20, |e| match e {
        NodeEvent::Notify(n) if n.kind == NoteKind::Stopped => Some(n.clone()),
        _ => None,
    })
    .await;
    assert_eq!(note.summary, "Workspace stopped");
    let timeline = node.details("a", &id).await.unwrap().timeline;
    let last = timeline.last().unwrap();
    assert_eq!(last.cause, hangar_core::history::Cause::You, "the user's own act on the timeline: {timeline:?}");
}

#[tokio::test]
async fn a_failed_action_is_told_as_a_note_and_open_answers_the_browser_link() {
    let d = demo().await;
    let (node, mut events) = settled_node(hangar_on("a", &d).await).await;
    let gone = NoteAction::Stop { workspaces: vec![WorkspaceRef::new("a", "no-such-box")] };
    let err = node.run_note_action(&gone).await.unwrap_err();
    let note = next(&mut events, 10, |e| match e {
        NodeEvent::Notify(n) if n.kind == NoteKind::ActionFailed => Some(n.clone()),
        _ => None,
    })
    .await;
    assert_eq!(note.summary, "Could not stop");
    assert_eq!(note.body, err.to_string(), "the note says why");
    assert!(note.body.contains("no-such-box"), "it names the workspace: {}", note.body);

    let id = node.snapshot().workspaces.into_iter().find(|w| w.state == WorkspaceState::Running).unwrap().id;
    let open = NoteAction::Open { workspace: WorkspaceRef::new("a", &id) };
    let FollowUp::Open(link) = node.run_note_action(&open).await.unwrap() else { panic!("a link to open") };
    assert_eq!(link.kind, LinkKind::Browser);
    assert_eq!(node.run_note_action(&NoteAction::Show).await.unwrap(), FollowUp::ShowWindow);
}

#[tokio::test]
async fn bad_budgets_and_stop_limits_are_refused_by_field() {
    let d = demo().await;
    let (node, _events) = settled_node(hangar_on("a", &d).await).await;
    let mut s = node.settings();
    s.budgets.all.monthly = Some(-5.0);
    let err = node.save_settings(s, hangar_core::node::Origin::Window).unwrap_err();
    assert_eq!(err.field(), Some("budgets.all.monthly"));
    let mut s = node.settings();
    s.auto_stop.accounts.insert("a".into(), 0);
    let err = node.save_settings(s, hangar_core::node::Origin::Window).unwrap_err();
    assert_eq!(err.field(), Some("auto_stop.accounts.a"));
    assert_eq!(node.settings(), hangar_core::settings::Settings::default(), "nothing was saved");
}
