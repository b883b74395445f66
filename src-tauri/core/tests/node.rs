//! The Node against a demo cloud over real sockets: its event stream, the notification policy
//! as operations with different origins meet it, settings held and told, the demo replaced, a
//! notification's buttons (Stop as the user's own act, Open, a failure told as a note).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use hangar_core::http::HttpSettings;
use hangar_core::node::{Demo, FollowUp, Node, NodeEvent, Origin};
use hangar_core::notifications::{NoteAction, NoteKind, WorkspaceRef};
use hangar_core::secrets::{Credentials, MemoryStore};
use hangar_core::storage::{Paths, Storage};
use hangar_core::{Account, Action, Hangar, LinkKind, ProviderId, WorkspaceState};
use hangar_demo::aether::{self, AetherDemo};
use hangar_demo::Timing;
use tokio::sync::broadcast::Receiver;

const TOKEN: &str = "hangar-test-secret-aether-node";

async fn demo() -> AetherDemo {
    aether::start_with_token(
        Timing { provision: Duration::from_millis(300), transition: Duration::from_millis(300) },
        TOKEN.into(),
    )
    .await
    .unwrap()
}

fn http() -> HttpSettings {
    HttpSettings { connect_timeout: Duration::from_secs(1), timeout: Duration::from_secs(2), retries: 0 }
}

async fn hangar_on(storage: Storage, account: &str, d: &AetherDemo) -> Arc<Hangar> {
    let h = Hangar::new(storage, Arc::new(MemoryStore::default()), http());
    let a = Account {
        name: account.into(),
        provider: ProviderId::Aether,
        base_url: Some(d.server.base_url.clone()),
        options: BTreeMap::new(),
    };
    h.add_account(a, Credentials::single("token", TOKEN), false).await.unwrap();
    Arc::new(h)
}

/// The next event `pick` accepts, skipping others; panics after `secs`.
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

/// Every event within `wait`.
async fn drain(events: &mut Receiver<NodeEvent>, wait: Duration) -> Vec<NodeEvent> {
    let mut out = vec![];
    let _ = tokio::time::timeout(wait, async {
        while let Ok(e) = events.recv().await {
            out.push(e);
        }
    })
    .await;
    out
}

fn notes(events: &[NodeEvent]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            NodeEvent::Notify(n) => Some(n.summary.clone()),
            _ => None,
        })
        .collect()
}

fn first_running(node: &Node) -> String {
    node.snapshot().workspaces.into_iter().find(|w| w.state == WorkspaceState::Running).unwrap().id
}

async fn settled_node(hangar: Arc<Hangar>) -> (Arc<Node>, Receiver<NodeEvent>) {
    let node = Node::start(hangar, None);
    let mut events = node.events();
    next(&mut events, 10, |e| matches!(e, NodeEvent::Snapshot(s) if !s.stale).then_some(())).await;
    (node, events)
}

#[tokio::test]
async fn a_poll_that_changed_nothing_sends_no_snapshot_and_touches_no_file() {
    let d = demo().await;
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::on_disk(Paths::resolve(Some(dir.path().into())).unwrap());
    let hangar = hangar_on(storage, "a", &d).await;
    let (node, mut events) = settled_node(hangar.clone()).await;
    let cache = dir.path().join("cache/workspaces.json");
    assert!(cache.exists(), "the first answer is cached");
    // Whatever the first answer set off has settled.
    drain(&mut events, Duration::from_millis(300)).await;

    let before = hangar.storage().file_counts();
    let polls = node.watcher().polls("a");
    node.refresh(Origin::Window);
    let refreshed = next(&mut events, 10, |e| match e {
        NodeEvent::Snapshot(_) => panic!("an unchanged poll resent the snapshot"),
        NodeEvent::Refreshed(r) => Some(r.clone()),
        _ => None,
    })
    .await;
    assert_eq!(node.watcher().polls("a"), polls + 1, "one more poll");
    assert!(refreshed.at.is_some() && refreshed.accounts.iter().any(|a| a.account == "a" && a.last_success.is_some()));
    assert_eq!(hangar.storage().file_counts(), before, "no file read or written");
    assert_eq!(node.snapshot().refreshed_at, refreshed.at, "the snapshot asked for still has the newest stamp");

    // A change still comes as a snapshot, and is cached.
    let id = first_running(&node);
    node.act(Origin::Cli, "a", &id, Action::Stop).await.unwrap();
    next(&mut events, 10, |e| match e {
        NodeEvent::Snapshot(s) => {
            s.workspaces.iter().any(|w| w.id == id && w.state != WorkspaceState::Running).then_some(())
        }
        _ => None,
    })
    .await;
    assert!(hangar.storage().file_counts().writes > before.writes, "the change is cached");
}

#[tokio::test]
async fn a_window_action_is_not_announced_while_it_has_focus_and_a_tray_action_is() {
    let d = demo().await;
    let hangar = hangar_on(Storage::in_memory(), "a", &d).await;
    let (node, mut events) = settled_node(hangar).await;
    node.set_focused(true);
    let running: Vec<String> =
        node.snapshot().workspaces.into_iter().filter(|w| w.state == WorkspaceState::Running).map(|w| w.id).collect();
    assert_eq!(running.len(), 2);

    node.act(Origin::Window, "a", &running[0], Action::Stop).await.unwrap();
    next(&mut events, 15, |e| match e {
        NodeEvent::StateChange(c) => (c.id == running[0] && c.to == WorkspaceState::Stopped).then_some(()),
        NodeEvent::Notify(n) => panic!("the window's own stop was announced: {n:?}"),
        _ => None,
    })
    .await;
    let after = drain(&mut events, Duration::from_millis(2000)).await;
    assert!(notes(&after).is_empty(), "{:?}", notes(&after));

    node.act(Origin::Tray, "a", &running[1], Action::Stop).await.unwrap();
    let note = next(&mut events, 15, |e| match e {
        NodeEvent::Notify(n) => Some(n.clone()),
        _ => None,
    })
    .await;
    assert_eq!((note.kind, note.summary.as_str()), (NoteKind::Stopped, "Workspace stopped"));
    let after = drain(&mut events, Duration::from_millis(2000)).await;
    assert!(notes(&after).is_empty(), "announced once: {:?}", notes(&after));
}

#[tokio::test]
async fn settings_are_held_saved_and_told_and_pause_silences() {
    let d = demo().await;
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::on_disk(Paths::resolve(Some(dir.path().into())).unwrap());
    let hangar = hangar_on(storage, "a", &d).await;
    let (node, mut events) = settled_node(hangar.clone()).await;

    let saved = node.set_paused(true, Origin::Tray).unwrap();
    assert!(saved.notifications.paused);
    let told = next(&mut events, 5, |e| match e {
        NodeEvent::Settings(s) => Some(s.clone()),
        _ => None,
    })
    .await;
    assert!(told.notifications.paused);
    assert!(hangar.storage().settings().notifications.paused, "saved to settings.json");

    let reads = hangar.storage().file_counts().reads;
    assert!(node.settings().notifications.paused);
    assert_eq!(hangar.storage().file_counts().reads, reads, "settings come from memory");

    let id = first_running(&node);
    node.act(Origin::Tray, "a", &id, Action::Stop).await.unwrap();
    next(&mut events, 15, |e| match e {
        NodeEvent::StateChange(c) => (c.to == WorkspaceState::Stopped).then_some(()),
        _ => None,
    })
    .await;
    let after = drain(&mut events, Duration::from_millis(2000)).await;
    assert!(notes(&after).is_empty(), "paused: {:?}", notes(&after));
}

#[tokio::test]
async fn saved_settings_are_held_within_their_bounds_and_told() {
    let d = demo().await;
    let (node, mut events) = settled_node(hangar_on(Storage::in_memory(), "acme", &d).await).await;
    let mut asked = node.settings();
    asked.notifications.gpu_reminder_minutes = Some(9999 * 60);
    asked.refresh.transitional_secs = 0;
    let saved = node.save_settings(asked, Origin::Window).unwrap();
    let limits = hangar_core::settings::SettingsLimits::ALL;
    assert_eq!(saved.notifications.gpu_reminder_minutes, Some(limits.gpu_reminder_minutes.max));
    assert_eq!(saved.refresh.transitional_secs, limits.transitional_secs.min);
    assert_eq!(node.settings(), saved, "held as saved");
    let told = next(&mut events, 5, |e| match e {
        NodeEvent::Settings(s) => Some(s.clone()),
        _ => None,
    })
    .await;
    assert_eq!(told, saved, "the faces are told what was saved, not what was asked");
}

#[tokio::test]
async fn the_first_real_account_replaces_the_demo_session() {
    let (demo_cloud, real_cloud) = (demo().await, demo().await);
    let demo_hangar = hangar_on(Storage::in_memory(), "demo-aether", &demo_cloud).await;
    let real = Arc::new(Hangar::new(Storage::in_memory(), Arc::new(MemoryStore::default()), http()));
    let profile = real.clone();
    let node = Node::start(
        demo_hangar,
        Some(Demo { clouds: Box::new(()), real_profile: Box::new(move || Ok(profile.clone())) }),
    );
    let mut events = node.events();
    assert!(node.is_demo());

    let target = node.new_account_target().unwrap();
    assert!(Arc::ptr_eq(&target, &real), "a new account goes to the user's own profile");
    let account = Account {
        name: "mine".into(),
        provider: ProviderId::Aether,
        base_url: Some(real_cloud.server.base_url.clone()),
        options: BTreeMap::new(),
    };
    node.add_account(target, account, Credentials::single("token", TOKEN), true).await.unwrap();
    assert!(!node.is_demo());
    next(&mut events, 5, |e| matches!(e, NodeEvent::SessionChanged { demo: false }).then_some(())).await;
    next(&mut events, 10, |e| match e {
        NodeEvent::Snapshot(s) => {
            (s.workspaces.iter().all(|w| w.account == "mine") && !s.workspaces.is_empty()).then_some(())
        }
        _ => None,
    })
    .await;
}

/// One workspace held in `starting` for the whole run, nothing touched: what the Node sends
/// and which files it touches per minute. Prints `BENCH {json}` like `bench_refresh`:
/// `cargo test --release -p hangar-core --test node -- --ignored --nocapture` (BENCH_SECS, default 60).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: a minute of a workspace in transition"]
async fn bench_quiet_while_a_workspace_is_in_transition() {
    let secs: u64 = std::env::var("BENCH_SECS").ok().and_then(|v| v.parse().ok()).unwrap_or(60);
    let d = demo().await;
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::on_disk(Paths::resolve(Some(dir.path().into())).unwrap());
    let hangar = hangar_on(storage, "a", &d).await;
    let id = hangar.list(None).await.unwrap().workspaces[0].id.clone();
    d.set_status(&id, "starting");
    let (node, mut events) = settled_node(hangar.clone()).await;
    let before = hangar.storage().file_counts();
    let polls = node.watcher().polls("a");
    let seen = drain(&mut events, Duration::from_secs(secs)).await;
    let per_minute = |n: usize| n as f64 * 60.0 / secs as f64;
    let count = |f: fn(&NodeEvent) -> bool| per_minute(seen.iter().filter(|e| f(e)).count());
    let files = hangar.storage().file_counts();
    println!(
        "BENCH {}",
        serde_json::json!({ "bench": "transitional_idle_node", "result": {
            "window_s": secs,
            "polls_per_minute": per_minute((node.watcher().polls("a") - polls) as usize),
            "snapshot_events_per_minute": count(|e| matches!(e, NodeEvent::Snapshot(_))),
            "refreshed_events_per_minute": count(|e| matches!(e, NodeEvent::Refreshed(_))),
            "file_reads_per_minute": per_minute((files.reads - before.reads) as usize),
            "file_writes_per_minute": per_minute((files.writes - before.writes) as usize),
        }})
    );
}

/// The details panel's timeline: a stop from the tray and a start from the window, in order,
/// each with its cause, still there after Hangar restarts on the same profile.
#[tokio::test]
async fn the_timeline_names_who_caused_each_transition_and_survives_a_restart() {
    let d = demo().await;
    let dir = tempfile::tempdir().unwrap();
    let profile = || Storage::on_disk(Paths::resolve(Some(dir.path().into())).unwrap());
    let hangar = hangar_on(profile(), "a", &d).await;
    let (node, mut events) = settled_node(hangar).await;
    let id = first_running(&node);
    let reaches = |to: WorkspaceState| {
        let id = id.clone();
        move |e: &NodeEvent| match e {
            NodeEvent::StateChange(c) => (c.id == id && c.to == to).then_some(()),
            _ => None,
        }
    };
    node.act(Origin::Tray, "a", &id, Action::Stop).await.unwrap();
    next(&mut events, 20, reaches(WorkspaceState::Stopped)).await;
    node.act(Origin::Window, "a", &id, Action::Start).await.unwrap();
    next(&mut events, 20, reaches(WorkspaceState::Running)).await;

    let steps = |t: &[hangar_core::history::Transition]| -> Vec<(WorkspaceState, String)> {
        t.iter().map(|t| (t.to, t.cause.to_string())).collect()
    };
    let details = node.details("a", &id).await.unwrap();
    let seen = steps(&details.timeline);
    let stop =
        seen.iter().position(|s| *s == (WorkspaceState::Stopped, "tray".into())).unwrap_or_else(|| panic!("{seen:?}"));
    assert!(seen[stop..].contains(&(WorkspaceState::Running, "you".into())), "{seen:?}");
    assert_eq!(seen.first().map(|s| s.1.as_str()), Some("vendor"), "first seen: nobody in Hangar made it so");
    assert_eq!(details.workspace.id, id);
    drop(node);

    let kept = profile().ledger().record("a", &id).map(|r| r.transitions.iter().cloned().collect::<Vec<_>>());
    assert_eq!(steps(&kept.unwrap_or_default())[..seen.len()], seen[..], "the timeline is kept across restarts");
}

#[tokio::test]
async fn stop_from_a_notification_stops_at_the_cloud_and_is_announced_as_the_users_act() {
    let d = demo().await;
    let (node, mut events) = settled_node(hangar_on(Storage::in_memory(), "a", &d).await).await;
    // The window has focus: a window action would not be announced, this one is.
    node.set_focused(true);
    let id = node.snapshot().workspaces.into_iter().find(|w| w.state == WorkspaceState::Running).unwrap().id;
    let stop = NoteAction::Stop { workspaces: vec![WorkspaceRef::new("a", &id)] };
    assert_eq!(node.run_note_action(&stop).await.unwrap(), FollowUp::Nothing);

    // The cloud itself says so, asked by another client.
    let other = hangar_on(Storage::in_memory(), "b", &d).await;
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
    let (node, mut events) = settled_node(hangar_on(Storage::in_memory(), "a", &d).await).await;
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
    let (node, _events) = settled_node(hangar_on(Storage::in_memory(), "a", &d).await).await;
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
