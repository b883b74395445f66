//! `hangarctl watch --json` as a script sees it: the real binary, a real Secret Service (run
//! inside a D-Bus session with an unlocked gnome-keyring), a demo cloud on 127.0.0.1. It
//! prints each state change, and the notifications the app's policy makes of them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use std::sync::Arc;

use hangar_core::http::HttpSettings;
use hangar_core::secrets::{Credentials, MemoryStore};
use hangar_core::storage::Storage;
use hangar_core::{Account, Action, Hangar, ProviderId};
use hangar_demo::aether;
use hangar_demo::Timing;
use serde_json::Value;

const TOKEN: &str = "hangar-test-secret-aether-watch-2c9e";
const ACCOUNT: &str = "cli-watch";

fn ctl(config: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hangarctl"));
    c.arg("--config-dir").arg(config).env("HANGAR_HTTP_TIMEOUT_SECS", "2");
    c
}

fn ok(config: &std::path::Path, args: &[&str], stdin: Option<&str>) -> String {
    let mut child =
        ctl(config).args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "`{}` failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The watch process, stopped when the test ends however it ends.
struct Watching(Child);

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `hangarctl ARGS` running, and its stdout's lines as they come.
fn watching(config: &std::path::Path, args: &[&str]) -> (Watching, mpsc::Receiver<String>) {
    let mut watch = Watching(ctl(config).args(args).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap());
    let (tx, lines) = mpsc::channel::<String>();
    let stdout = watch.0.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    (watch, lines)
}

#[test]
fn watch_json_prints_each_change_and_one_coalesced_notification() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    // Stopping takes long enough for the watcher to see both boxes on their way.
    let timing = Timing { provision: Duration::from_secs(1), transition: Duration::from_secs(5) };
    let demo = rt.block_on(aether::start_with_token(timing, TOKEN.into())).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path();
    ok(config, &["account", "add", "aether", "--name", ACCOUNT, "--base-url", &demo.server.base_url], Some(TOKEN));
    let list: Value = serde_json::from_str(&ok(config, &["ls", "--json"], None)).unwrap();
    let running: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["state"] == "running")
        .map(|w| w["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(running.len(), 2, "{list}");
    // Both at once (from a second client, as another machine would), so both flip in one poll.
    let other = Hangar::new(Storage::in_memory(), Arc::new(MemoryStore::default()), HttpSettings::default());
    rt.block_on(async {
        let account = Account {
            name: "same-cloud".into(),
            provider: ProviderId::Aether,
            base_url: Some(demo.server.base_url.clone()),
            options: Default::default(),
        };
        other.add_account(account, Credentials::single("token", TOKEN), false).await.unwrap();
        let (a, b) = tokio::join!(
            other.act("same-cloud", &running[0], Action::Stop),
            other.act("same-cloud", &running[1], Action::Stop)
        );
        a.and(b).unwrap();
    });

    let (watch, lines) = watching(config, &["watch", "--json", "--notifications"]);
    // A script that asked for state changes only gets lines of the contract's shape.
    let (plain_watch, plain_lines) = watching(config, &["watch", "--json"]);

    let deadline = Instant::now() + Duration::from_secs(40);
    let (mut changes, mut notes) = (vec![], vec![]);
    while notes.is_empty() {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = lines.recv_timeout(left).expect("a notification within 40 s");
        let v: Value = serde_json::from_str(&line).expect("one JSON object per line");
        match v.get("notification") {
            Some(n) => notes.push(n.clone()),
            None => changes.push(v),
        }
    }
    // Anything else of the same round arrives within the batch window.
    while let Ok(line) = lines.recv_timeout(Duration::from_secs(3)) {
        let v: Value = serde_json::from_str(&line).unwrap();
        match v.get("notification") {
            Some(n) => notes.push(n.clone()),
            None => changes.push(v),
        }
    }
    drop(watch);
    let mut plain: Vec<Value> = vec![];
    let deadline = Instant::now() + Duration::from_secs(20);
    while plain.iter().filter(|c| c["to"] == "stopped").count() < 2 {
        let Ok(line) = plain_lines.recv_timeout(deadline.saturating_duration_since(Instant::now())) else { break };
        plain.push(serde_json::from_str(&line).expect("one JSON object per line"));
    }
    while let Ok(line) = plain_lines.recv_timeout(Duration::from_secs(2)) {
        plain.push(serde_json::from_str(&line).unwrap());
    }
    drop(plain_watch);
    ok(config, &["account", "rm", ACCOUNT], None);
    assert!(
        plain.iter().all(|c| c.get("notification").is_none()),
        "no notification without --notifications: {plain:?}"
    );
    let plain_stopped = plain.iter().filter(|c| c["to"] == "stopped").count();
    assert_eq!(plain_stopped, 2, "the same changes, once each: {plain:?}");

    for c in &changes {
        for field in ["account", "id", "name", "from", "to", "raw_state", "at"] {
            assert!(c.get(field).is_some(), "a change line has '{field}': {c}");
        }
    }
    let stopped: Vec<&str> =
        changes.iter().filter(|c| c["to"] == "stopped").map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(stopped.len(), 2, "each box's change is printed: {changes:?}");
    assert!(running.iter().all(|id| stopped.contains(&id.as_str())));
    assert_eq!(notes.len(), 1, "the two stops make one notification, as in the app: {notes:?}");
    assert_eq!(notes[0]["kind"], "stopped");
    assert_eq!(notes[0]["summary"], "2 workspaces stopped");
    assert!(notes[0]["target"].is_null(), "a note about two workspaces offers none: {}", notes[0]);
    assert_eq!(notes[0]["actions"], serde_json::json!([]), "a stop offers nothing to do: {}", notes[0]);
}

#[test]
fn watch_notification_lines_carry_the_actions_the_note_offers() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let timing = Timing { provision: Duration::from_secs(1), transition: Duration::from_secs(5) };
    let token = "hangar-test-secret-aether-actions-7f1d";
    // Its own account name: the tests share one keyring and run at once.
    let account = "cli-watch-actions";
    let demo = rt.block_on(aether::start_with_token(timing, token.into())).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path();
    ok(config, &["account", "add", "aether", "--name", account, "--base-url", &demo.server.base_url], Some(token));
    let list: Value = serde_json::from_str(&ok(config, &["ls", "--json"], None)).unwrap();
    let stopped = list.as_array().unwrap().iter().find(|w| w["state"] == "stopped").expect("a stopped box");
    let id = stopped["id"].as_str().unwrap().to_string();
    // Started from a second client, as another machine would: the watch announces it.
    let other = Hangar::new(Storage::in_memory(), Arc::new(MemoryStore::default()), HttpSettings::default());
    rt.block_on(async {
        let account = Account {
            name: "same-cloud".into(),
            provider: ProviderId::Aether,
            base_url: Some(demo.server.base_url.clone()),
            options: Default::default(),
        };
        other.add_account(account, Credentials::single("token", token), false).await.unwrap();
        other.act("same-cloud", &id, Action::Start).await.unwrap();
    });

    let (watch, lines) = watching(config, &["watch", "--json", "--notifications"]);
    let deadline = Instant::now() + Duration::from_secs(60);
    let running = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = lines.recv_timeout(left).expect("a 'running' notification within 60 s");
        let v: Value = serde_json::from_str(&line).expect("one JSON object per line");
        if v["notification"]["kind"] == "running" {
            break v["notification"].clone();
        }
    };
    drop(watch);
    ok(config, &["account", "rm", account], None);
    assert_eq!(
        running["actions"],
        serde_json::json!([{ "key": "open", "workspace": { "account": account, "id": id } }]),
        "a one-workspace 'running' note offers Open on it: {running}"
    );
}
