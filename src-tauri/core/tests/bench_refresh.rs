#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::print_stdout)]
//! Benchmarks over demo clouds on 127.0.0.1, run by `tests/bench/run.sh`. Heavy and slow, so
//! `#[ignore]`d: `cargo test --release -p hangar-core --test bench_refresh -- --ignored --nocapture`.
//! Each test prints one line `BENCH {json}` with its figures.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hangar_core::http::HttpSettings;
use hangar_core::secrets::{Credentials, MemoryStore};
use hangar_core::storage::Storage;
use hangar_core::watcher::{Cadence, Watcher};
use hangar_core::{Account, Hangar, ProviderId, WorkspaceState};
use hangar_demo::aether::{self, AetherDemo};
use hangar_demo::{Fault, Timing};

const TOKEN: &str = "hangar-bench-secret-aether";
const RUNS: usize = 5;

async fn demo() -> AetherDemo {
    aether::start_with_token(Timing::realistic(), TOKEN.into()).await.unwrap()
}

async fn hangar_with(demos: &[&AetherDemo]) -> Arc<Hangar> {
    let settings =
        HttpSettings { connect_timeout: Duration::from_secs(2), timeout: Duration::from_secs(30), retries: 0 };
    let h = Hangar::new(Storage::in_memory(), Arc::new(MemoryStore::default()), settings);
    for (i, demo) in demos.iter().enumerate() {
        let account = Account {
            name: format!("a{i}"),
            provider: ProviderId::Aether,
            base_url: Some(demo.server.base_url.clone()),
            options: BTreeMap::new(),
        };
        h.add_account(account, Credentials::single("token", TOKEN), false).await.unwrap();
    }
    Arc::new(h)
}

fn delay_lists(demos: &[&AetherDemo], ms: u64) {
    for d in demos {
        d.server
            .inject(Fault { delay: Some(Duration::from_millis(ms)), status: 0, ..Fault::default() }.on("/workspaces"));
    }
}

fn stats(samples: &[f64]) -> serde_json::Value {
    let mut s = samples.to_vec();
    s.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let median = if s.len() % 2 == 1 { s[s.len() / 2] } else { (s[s.len() / 2 - 1] + s[s.len() / 2]) / 2.0 };
    serde_json::json!({ "min": s[0], "median": median, "max": s[s.len() - 1], "samples": samples })
}

fn bench(name: &str, value: serde_json::Value) {
    println!("BENCH {}", serde_json::json!({ "bench": name, "result": value }));
}

/// `Hangar::list(None)` over 5 accounts that each answer in 300 ms, against one such account.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: tests/bench/run.sh"]
async fn refresh_five_slow_accounts_vs_one() {
    let mut owned = vec![];
    for _ in 0..5 {
        owned.push(demo().await);
    }
    let all: Vec<&AetherDemo> = owned.iter().collect();
    let five = hangar_with(&all).await;
    let one = hangar_with(&all[..1]).await;
    // Warm: providers built, connections open.
    five.list(None).await.unwrap();
    one.list(None).await.unwrap();
    let (mut t5, mut t1) = (vec![], vec![]);
    for _ in 0..RUNS {
        delay_lists(&all[..1], 300);
        let t = Instant::now();
        let l = one.list(None).await.unwrap();
        t1.push(t.elapsed().as_secs_f64() * 1000.0);
        assert!(l.failures.is_empty() && l.workspaces.len() == 3);

        delay_lists(&all, 300);
        let t = Instant::now();
        let l = five.list(None).await.unwrap();
        t5.push(t.elapsed().as_secs_f64() * 1000.0);
        assert!(l.failures.is_empty() && l.workspaces.len() == 15);
    }
    let ratios: Vec<f64> = t5.iter().zip(&t1).map(|(a, b)| a / b).collect();
    bench(
        "refresh_5_vs_1",
        serde_json::json!({ "five_ms": stats(&t5), "one_ms": stats(&t1), "ratio": stats(&ratios) }),
    );
}

/// Default cadence, one settled account: how often the watcher lists it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: tests/bench/run.sh (65 s)"]
async fn polls_while_settled_default_cadence() {
    let secs: u64 = std::env::var("BENCH_SETTLED_SECS").ok().and_then(|v| v.parse().ok()).unwrap_or(65);
    let d = demo().await;
    let h = hangar_with(&[&d]).await;
    let watcher = Watcher::new(h, Cadence::default());
    tokio::spawn(watcher.clone().run());
    let start = Instant::now();
    let mut seen = 0;
    let mut at = vec![];
    while start.elapsed() < Duration::from_secs(secs) {
        let p = watcher.polls("a0");
        if p > seen {
            seen = p;
            at.push(start.elapsed().as_secs_f64());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(watcher.current().workspaces.iter().all(|w| !w.state.is_transitional()), "settled all along");
    let gaps: Vec<f64> = at.windows(2).map(|w| w[1] - w[0]).collect();
    let list_calls = d.server.requests().iter().filter(|r| r.starts_with("GET /workspaces")).count();
    bench(
        "polls_settled",
        serde_json::json!({
            "window_s": secs, "polls": seen, "list_calls_seen_by_server": list_calls,
            "poll_times_s": at, "gaps_s": gaps,
            "polls_per_minute_after_first": if gaps.is_empty() { 0.0 } else { 60.0 / (gaps.iter().sum::<f64>() / gaps.len() as f64) },
        }),
    );
}

/// Default cadence: a provider-side state flip of a transitioning workspace, to the event.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: tests/bench/run.sh"]
async fn state_flip_to_event_default_cadence() {
    let d = demo().await;
    let h = hangar_with(&[&d]).await;
    let ids: Vec<String> = h.list(None).await.unwrap().workspaces.iter().map(|w| w.id.clone()).collect();
    let (keeper, flipper) = (&ids[0], &ids[1]);
    // Another workspace stays transitional all along (set_status stops its state machine), so
    // the watcher, from its first poll on, follows the account at the fast cadence.
    d.set_status(keeper, "starting");
    d.set_status(flipper, "stopping");
    let watcher = Watcher::new(h.clone(), Cadence::default());
    let mut changes = watcher.changes();
    tokio::spawn(watcher.clone().run());
    // Let the watcher see the transitional states first.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    while changes.try_recv().is_ok() {}
    let mut samples = vec![];
    for i in 0..RUNS {
        // Flip at a different phase of the 2 s poll each time.
        tokio::time::sleep(Duration::from_millis(300 + 370 * i as u64)).await;
        let t = Instant::now();
        d.set_status(flipper, "stopped");
        wait_for(&mut changes, flipper, WorkspaceState::Stopped).await;
        samples.push(t.elapsed().as_secs_f64() * 1000.0);
        // Back to transitional (not timed) so the next flip is again a transitioning workspace's.
        d.set_status(flipper, "stopping");
        wait_for(&mut changes, flipper, WorkspaceState::Stopping).await;
    }
    bench("flip_to_event", serde_json::json!({ "ms": stats(&samples) }));
}

async fn wait_for(
    changes: &mut tokio::sync::broadcast::Receiver<hangar_core::watcher::StateChange>,
    id: &str,
    to: WorkspaceState,
) {
    loop {
        let c = tokio::time::timeout(Duration::from_secs(10), changes.recv())
            .await
            .expect("an event within 10 s")
            .expect("the change stream is open");
        if c.id == id && c.to == to {
            return;
        }
    }
}

fn statm_kib() -> (u64, u64) {
    let page = 4; // KiB; x86_64 Linux
    let s = std::fs::read_to_string("/proc/self/statm").unwrap();
    let v: Vec<u64> = s.split_whitespace().map(|x| x.parse().unwrap()).collect();
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let hwm = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .map(|l| l.trim().trim_end_matches("kB").trim().parse().unwrap())
        .unwrap_or(0);
    (v[1] * page, hwm)
}

/// 10 000 workspaces in one account: listed correctly, and the memory a listing holds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: tests/bench/run.sh"]
async fn ten_thousand_workspaces_in_one_account() {
    let d = demo().await;
    d.seed(10_000 - 3);
    let h = hangar_with(&[&d]).await;
    // First listing: cold (allocator grows, server builds its answer); then held listings.
    let (rss0, _) = statm_kib();
    let t = Instant::now();
    let first = h.list(None).await.unwrap();
    let cold_ms = t.elapsed().as_secs_f64() * 1000.0;
    let (rss1, hwm1) = statm_kib();
    let ids: HashSet<&str> = first.workspaces.iter().map(|w| w.id.as_str()).collect();
    let correct = first.failures.is_empty()
        && first.workspaces.len() == 10_000
        && ids.len() == 10_000
        && first.workspaces.iter().all(|w| w.account == "a0" && !w.name.is_empty());
    let running = first.workspaces.iter().filter(|w| w.state == WorkspaceState::Running).count();
    drop(ids);
    drop(first);
    let mut warm = vec![];
    let mut held = vec![];
    let (rss2, _) = statm_kib();
    for _ in 0..3 {
        let t = Instant::now();
        let l = h.list(None).await.unwrap();
        warm.push(t.elapsed().as_secs_f64() * 1000.0);
        held.push(l);
    }
    let (rss3, _) = statm_kib();
    let per_listing_kib = (rss3.saturating_sub(rss2)) as f64 / held.len() as f64;
    assert!(correct, "10 000 workspaces listed, each once");
    bench(
        "ten_thousand",
        serde_json::json!({
            "listed": held[0].workspaces.len(), "correct": correct, "running": running,
            "cold_list_ms": cold_ms, "warm_list_ms": stats(&warm),
            "rss_kib_before": rss0, "rss_kib_after_first_list": rss1, "peak_rss_kib": hwm1,
            "first_list_growth_kib_per_1000": (rss1.saturating_sub(rss0)) as f64 / 10.0,
            "held_listing_kib_per_1000": per_listing_kib / 10.0,
        }),
    );
}
