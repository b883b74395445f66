//! The watcher against demo clouds over real sockets, with short real intervals.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use hangar_core::http::HttpSettings;
use hangar_core::secrets::{Credentials, MemoryStore};
use hangar_core::storage::Storage;
use hangar_core::watcher::{Cadence, Watcher};
use hangar_core::{Account, Action, Hangar, ProviderId, WorkspaceState};
use hangar_demo::aether::{self, AetherDemo};
use hangar_demo::{Fault, Timing};

const TOKEN: &str = "hangar-test-secret-aether-watch";

async fn hangar_with(demos: &[(&str, &AetherDemo)]) -> Arc<Hangar> {
    let settings =
        HttpSettings { connect_timeout: Duration::from_secs(1), timeout: Duration::from_secs(2), retries: 0 };
    let h = Hangar::new(Storage::in_memory(), Arc::new(MemoryStore::default()), settings);
    for (name, demo) in demos {
        let account = Account {
            name: name.to_string(),
            provider: ProviderId::Aether,
            base_url: Some(demo.server.base_url.clone()),
            options: BTreeMap::new(),
        };
        h.add_account(account, Credentials::single("token", TOKEN), false).await.unwrap();
    }
    Arc::new(h)
}

async fn demo() -> AetherDemo {
    aether::start_with_token(
        Timing { provision: Duration::from_millis(500), transition: Duration::from_millis(600) },
        TOKEN.into(),
    )
    .await
    .unwrap()
}

fn cadence() -> Cadence {
    Cadence {
        fast: Duration::from_millis(150),
        slow: Duration::from_millis(1500),
        after_action: Duration::from_millis(300),
    }
}

fn list_calls(d: &AetherDemo) -> usize {
    d.server.requests().iter().filter(|r| r.starts_with("GET /workspaces")).count()
}

#[tokio::test]
async fn changes_are_announced_once_and_never_on_first_sight() {
    let d = demo().await;
    let h = hangar_with(&[("a", &d)]).await;
    let watcher = Watcher::new(h.clone(), cadence());
    let mut changes = watcher.changes();
    watcher.tick().await;
    assert!(changes.try_recv().is_err(), "no change on first sight");

    let w = watcher.current().workspaces.into_iter().find(|w| w.state == WorkspaceState::Running).unwrap();
    h.act("a", &w.id, Action::Stop).await.unwrap();
    watcher.tick().await;
    let c = changes.try_recv().expect("running → stopping");
    assert_eq!((c.from, c.to, c.raw_state.as_str()), (WorkspaceState::Running, WorkspaceState::Stopping, "stopping"));
    watcher.tick().await;
    assert!(changes.try_recv().is_err(), "the same state again is not a change");

    d.server.inject(Fault::status(500, "{}").on("/workspaces"));
    watcher.tick().await;
    assert_eq!(watcher.current().failures.len(), 1);
    assert!(watcher.current().workspaces.iter().any(|x| x.id == w.id), "a failed refresh keeps the known cards");
    assert!(changes.try_recv().is_err(), "a failed refresh is not a deletion");

    h.act("a", &w.id, Action::Delete).await.unwrap();
    watcher.tick().await;
    let gone = changes.try_recv().expect("deletion announced");
    assert_eq!(gone.to, WorkspaceState::Deleted);
    assert_eq!(gone.name, w.name, "a deleted workspace is announced by its name");
}

#[tokio::test]
async fn polls_fast_while_transitioning_and_slowly_when_settled() {
    let d = demo().await;
    let h = hangar_with(&[("a", &d)]).await;
    let watcher = Watcher::new(h.clone(), cadence());
    tokio::spawn(watcher.clone().run());
    tokio::time::sleep(Duration::from_millis(200)).await;
    let settled_start = list_calls(&d);
    tokio::time::sleep(Duration::from_millis(2000)).await;
    let settled = list_calls(&d) - settled_start;
    assert!(settled <= 2, "settled: at most one call per slow interval, got {settled} in 2 s");

    let w = watcher.current().workspaces.into_iter().find(|w| w.state == WorkspaceState::Running).unwrap();
    let mut changes = watcher.changes();
    h.act("a", &w.id, Action::Stop).await.unwrap();
    watcher.acted("a");
    let busy_start = list_calls(&d);
    let mut seen = vec![];
    while seen.last() != Some(&WorkspaceState::Stopped) {
        let c =
            tokio::time::timeout(Duration::from_secs(3), changes.recv()).await.expect("a change within 3 s").unwrap();
        seen.push(c.to);
    }
    assert_eq!(seen, vec![WorkspaceState::Stopping, WorkspaceState::Stopped]);
    assert!(list_calls(&d) - busy_start >= 3, "followed the transition with fast polls");
}

#[tokio::test]
async fn one_slow_account_does_not_delay_the_others() {
    let (fast, slow) = (demo().await, demo().await);
    let h = hangar_with(&[("fast", &fast), ("slow", &slow)]).await;
    let watcher = Watcher::new(h, cadence());
    let mut snaps = watcher.snapshot();
    slow.server
        .inject(Fault { delay: Some(Duration::from_millis(1800)), status: 0, ..Fault::default() }.on("/workspaces"));
    tokio::spawn(watcher.clone().run());
    let started = std::time::Instant::now();
    loop {
        snaps.changed().await.unwrap();
        if snaps.borrow().workspaces.iter().any(|w| w.account == "fast") {
            break;
        }
    }
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "the fast account's cards came before the slow one answered"
    );
    assert!(watcher.current().stale, "still stale until every account answered");
}

#[tokio::test]
async fn retry_after_and_sign_in_pauses_are_honoured() {
    let (limited, locked) = (demo().await, demo().await);
    let h = hangar_with(&[("limited", &limited), ("locked", &locked)]).await;
    let watcher = Watcher::new(h, cadence());
    for _ in 0..2 {
        limited
            .server
            .inject(Fault { retry_after: Some(2), ..Fault::status(429, r#"{"error":"slow down"}"#) }.on("/workspaces"));
    }
    for _ in 0..20 {
        locked.server.inject(Fault::status(401, r#"{"error":"Unauthorized"}"#).on("/workspaces"));
    }
    tokio::spawn(watcher.clone().run());
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(watcher.polls("limited"), 1, "no poll before Retry-After ran out");
    assert_eq!(watcher.polls("locked"), 1, "an account that needs sign-in is not polled again");
    let failures = watcher.current().failures;
    assert!(failures.iter().any(|f| f.account == "locked" && f.error.code == "unauthorized"));
    watcher.refresh();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(watcher.polls("locked"), 2, "refresh (Retry, window focus) tries a paused account again");
}

#[tokio::test]
async fn a_restart_does_not_announce_every_workspace_again() {
    let d = demo().await;
    let dir = tempfile::tempdir().unwrap();
    let paths = hangar_core::storage::Paths::resolve(Some(dir.path().to_path_buf())).unwrap();
    let settings =
        HttpSettings { connect_timeout: Duration::from_secs(1), timeout: Duration::from_secs(2), retries: 0 };
    let store = Arc::new(MemoryStore::default());
    let make = || Arc::new(Hangar::new(Storage::on_disk(paths.clone()), store.clone(), settings));
    let first = make();
    let account = Account {
        name: "a".into(),
        provider: ProviderId::Aether,
        base_url: Some(d.server.base_url.clone()),
        options: BTreeMap::new(),
    };
    first.add_account(account, Credentials::single("token", TOKEN), false).await.unwrap();
    Watcher::new(first, cadence()).tick().await;

    let restarted = Watcher::new(make(), cadence());
    assert!(restarted.current().stale, "cards from the cache are marked stale");
    assert_eq!(restarted.current().workspaces.len(), 3, "the last known cards show at once");
    let mut changes = restarted.changes();
    restarted.tick().await;
    assert!(changes.try_recv().is_err(), "nothing is re-announced after a restart");
    assert!(!restarted.current().stale);
}

#[tokio::test]
async fn a_new_cadence_moves_the_next_poll() {
    let d = demo().await;
    let h = hangar_with(&[("a", &d)]).await;
    let settled = Cadence { slow: Duration::from_secs(60), ..cadence() };
    let watcher = Watcher::new(h, settled);
    let before = tokio::time::Instant::now();
    watcher.tick().await;
    let after = tokio::time::Instant::now();
    let due = watcher.next_poll("a").expect("a poll is scheduled");
    assert!(
        due >= before + Duration::from_secs(60) && due <= after + Duration::from_secs(60),
        "settled: the next poll is one slow interval after the answer"
    );

    watcher.set_cadence(Cadence { slow: Duration::from_secs(5), ..settled });
    let due = watcher.next_poll("a").expect("still scheduled");
    assert!(
        due >= before + Duration::from_secs(5) && due <= after + Duration::from_secs(5),
        "the new slow interval counts from the last answer"
    );
}

#[tokio::test]
async fn a_running_watcher_polls_on_the_new_cadence_at_once() {
    let d = demo().await;
    let h = hangar_with(&[("a", &d)]).await;
    let settled = Cadence { slow: Duration::from_secs(60), ..cadence() };
    let watcher = Watcher::new(h, settled);
    tokio::spawn(watcher.clone().run());
    // Every poll moves the "refreshed" stamp; the snapshot wakes only when something changed.
    let mut polled = watcher.refreshed();
    while watcher.polls("a") < 1 {
        polled.changed().await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(watcher.polls("a"), 1, "with a 60 s settled interval, no second poll yet");

    watcher.set_cadence(Cadence { slow: Duration::from_millis(400), ..settled });
    let changed_at = std::time::Instant::now();
    tokio::time::timeout(Duration::from_secs(2), async {
        while watcher.polls("a") < 3 {
            polled.changed().await.unwrap();
        }
    })
    .await
    .expect("two more polls within 2 s on a 400 ms interval");
    assert!(
        changed_at.elapsed() >= Duration::from_millis(400),
        "the second new poll waited one new interval after the first"
    );
}

#[tokio::test]
async fn a_huge_retry_after_is_capped_not_a_panic() {
    let d = demo().await;
    let h = hangar_with(&[("a", &d)]).await;
    let watcher = Watcher::new(h.clone(), cadence());
    watcher.tick().await;
    d.server.inject(Fault { retry_after: Some(u64::MAX), ..Fault::status(429, "{}").on("/workspaces") });
    watcher.refresh();
    watcher.tick().await;
    let failure = watcher.current().failures.pop().expect("the 429 is reported");
    assert_eq!(failure.error.code, "rate_limited");
    assert!(failure.error.retry_after_secs.is_some_and(|s| s <= 3600), "{:?}", failure.error);
    let next = watcher.next_poll("a").expect("the account is still scheduled");
    assert!(next <= tokio::time::Instant::now() + Duration::from_secs(3601), "polled again within the hour");
    // The watcher keeps working after it.
    watcher.refresh();
    watcher.tick().await;
    assert!(watcher.current().failures.is_empty());
}

#[tokio::test]
async fn a_poll_that_changed_nothing_writes_no_file() {
    let d = demo().await;
    let dir = tempfile::tempdir().unwrap();
    let paths = hangar_core::storage::Paths::resolve(Some(dir.path().into())).unwrap();
    let cache = paths.cache.join("workspaces.json");
    let settings =
        HttpSettings { connect_timeout: Duration::from_secs(1), timeout: Duration::from_secs(2), retries: 0 };
    let h = Hangar::new(Storage::on_disk(paths), Arc::new(MemoryStore::default()), settings);
    let account = Account {
        name: "a".into(),
        provider: ProviderId::Aether,
        base_url: Some(d.server.base_url.clone()),
        options: BTreeMap::new(),
    };
    h.add_account(account, Credentials::single("token", TOKEN), false).await.unwrap();
    let h = Arc::new(h);
    let watcher = Watcher::new(h.clone(), cadence());
    watcher.tick().await;
    assert!(cache.exists(), "the first answer is cached");

    std::fs::remove_file(&cache).unwrap();
    watcher.refresh();
    watcher.tick().await;
    assert!(!cache.exists(), "an unchanged list was written again");

    let w = watcher.current().workspaces.into_iter().find(|w| w.state == WorkspaceState::Running).unwrap();
    h.act("a", &w.id, Action::Stop).await.unwrap();
    watcher.refresh();
    watcher.tick().await;
    assert!(cache.exists(), "a change is cached");
}

#[tokio::test]
async fn a_long_transition_is_polled_less_often_as_it_drags_on() {
    let d = aether::start_with_token(
        Timing { provision: Duration::from_millis(500), transition: Duration::from_secs(3600) },
        TOKEN.into(),
    )
    .await
    .unwrap();
    let h = hangar_with(&[("a", &d)]).await;
    let clock = Arc::new(hangar_core::clock::FakeClock::default());
    let watcher = Watcher::with_clock(h.clone(), Cadence::default(), clock.clone());
    watcher.tick().await;
    let w = watcher.current().workspaces.into_iter().find(|w| w.state == WorkspaceState::Running).unwrap();
    h.act("a", &w.id, Action::Stop).await.unwrap();
    watcher.acted("a");
    let interval = || async {
        watcher.tick().await;
        let next = watcher.next_poll("a").unwrap();
        (next - tokio::time::Instant::now()).as_secs_f64().round() as u64
    };
    assert_eq!(interval().await, 2, "fast just after the action");
    clock.advance(Duration::from_secs(119));
    assert_eq!(interval().await, 2, "still stopping, still within two minutes");
    clock.advance(Duration::from_secs(60));
    assert_eq!(interval().await, 5);
    clock.advance(Duration::from_secs(120));
    assert_eq!(interval().await, 10);
    clock.advance(Duration::from_secs(600));
    assert_eq!(interval().await, 20, "capped");
    watcher.acted("a");
    assert_eq!(interval().await, 2, "a new action is followed fast again");
}
