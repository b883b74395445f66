//! hangarctl as a script sees it: the real binary, a real Secret Service (run inside a D-Bus
//! session with an unlocked gnome-keyring, as `tests/run.sh` does), demo clouds on 127.0.0.1.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use hangar_demo::aether::{self, AetherDemo};
use hangar_demo::{Fault, Timing};
use serde_json::Value;

const TOKEN: &str = "hangar-test-secret-aether-cli-7f3a";

struct Ctl {
    config: PathBuf,
    _dir: Option<tempfile::TempDir>,
}

impl Ctl {
    fn new(name: &str) -> Ctl {
        // Under the harness, config dirs stay behind for the leak scan.
        match std::env::var_os("HANGAR_TEST_ROOT") {
            Some(root) => {
                let config = PathBuf::from(root).join("cli").join(name);
                let _ = std::fs::remove_dir_all(&config);
                std::fs::create_dir_all(&config).unwrap();
                Ctl { config, _dir: None }
            }
            None => {
                let dir = tempfile::tempdir().unwrap();
                Ctl { config: dir.path().to_path_buf(), _dir: Some(dir) }
            }
        }
    }

    fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hangarctl"))
            .arg("--config-dir")
            .arg(&self.config)
            .args(args)
            .env("HANGAR_POLL_MS", "100")
            .env("HANGAR_HTTP_TIMEOUT_SECS", "2")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("hangarctl runs");
        if let Some(input) = stdin {
            child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        }
        drop(child.stdin.take());
        let out = child.wait_with_output().unwrap();
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(!all.contains(TOKEN), "a secret was printed by `{}`: {all}", args.join(" "));
        out
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args, None);
        assert_eq!(out.status.code(), Some(0), "`{}` failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut a = args.to_vec();
        a.push("--json");
        serde_json::from_str(&self.ok(&a)).expect("valid JSON on stdout")
    }

    fn add(&self, name: &str, demo: &AetherDemo, token: &str) -> Output {
        self.run(
            &["account", "add", "aether", "--name", name, "--base-url", &demo.server.base_url],
            Some(&format!("{token}\n")),
        )
    }
}

fn keyring_lookup(account: &str) -> Option<String> {
    let out = Command::new("secret-tool").args(["lookup", "service", "hangar", "username", account]).output().ok()?;
    let s = String::from_utf8_lossy(&out.stdout).into_owned();
    (!s.is_empty()).then_some(s)
}

fn files_contain(dir: &Path, needle: &str) -> bool {
    std::fs::read_dir(dir).into_iter().flatten().flatten().any(|e| {
        let p = e.path();
        if p.is_dir() {
            files_contain(&p, needle)
        } else {
            std::fs::read(&p).map(|b| String::from_utf8_lossy(&b).contains(needle)).unwrap_or(false)
        }
    })
}

fn demo() -> (tokio::runtime::Runtime, AetherDemo) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let demo = rt.block_on(aether::start_with_token(Timing::quick(), TOKEN.into())).unwrap();
    (rt, demo)
}

#[test]
fn account_lifecycle_keeps_the_token_in_the_keyring_only() {
    let (_rt, demo) = demo();
    let ctl = Ctl::new("lifecycle");
    let name = "cli-lifecycle";

    let bad = ctl.add(name, &demo, "hangar-test-secret-wrong-token");
    assert_eq!(bad.status.code(), Some(3), "a bad token is unauthorized: {}", String::from_utf8_lossy(&bad.stderr));
    assert!(keyring_lookup(name).is_none(), "nothing stored after a failed add");
    assert_eq!(ctl.json(&["account", "ls"]), serde_json::json!([]));

    let good = ctl.add(name, &demo, TOKEN);
    assert_eq!(good.status.code(), Some(0), "{}", String::from_utf8_lossy(&good.stderr));
    let stored = keyring_lookup(name).expect("the keyring holds the account's credentials");
    assert!(stored.contains(TOKEN));
    assert!(!files_contain(&ctl.config, TOKEN), "the token is in no file of the config dir");
    let accounts = ctl.json(&["account", "ls"]);
    assert_eq!(accounts[0]["name"], name);
    assert_eq!(accounts[0]["provider"], "aether");

    assert_eq!(ctl.run(&["account", "test", name], None).status.code(), Some(0));
    let again = ctl.add(name, &demo, TOKEN);
    assert_eq!(again.status.code(), Some(5), "a second account of the same name is a conflict");

    ctl.ok(&["account", "rm", name]);
    assert!(keyring_lookup(name).is_none(), "removing the account removes its keyring item");
    assert_eq!(ctl.run(&["account", "test", name], None).status.code(), Some(4));
}

#[test]
fn workspace_lifecycle_follows_the_contract() {
    let (_rt, demo) = demo();
    let ctl = Ctl::new("workspaces");
    assert_eq!(ctl.add("w", &demo, TOKEN).status.code(), Some(0));

    let list = ctl.json(&["ls"]);
    let first = &list[0];
    for field in
        ["account", "provider", "id", "name", "state", "raw_state", "hardware", "created_at", "links", "actions"]
    {
        assert!(first.get(field).is_some(), "ls --json has '{field}': {first}");
    }
    for field in ["label", "cpus", "memory_gb", "gpu"] {
        assert!(first["hardware"].get(field).is_some(), "hardware has '{field}'");
    }
    assert!(list.as_array().unwrap().iter().any(|w| w["hardware"]["gpu"]["kind"] == "a100-40gb"));

    let form = ctl.json(&["form", "w"]);
    let fields = form["fields"].as_array().unwrap();
    let keys: Vec<&str> = fields.iter().map(|f| f["key"].as_str().unwrap()).collect();
    assert!(keys.contains(&"project") && keys.contains(&"gpu_kind") && keys.contains(&"memory_mb"), "{keys:?}");
    for f in fields {
        for k in ["key", "label", "kind", "required"] {
            assert!(f.get(k).is_some(), "form field has '{k}'");
        }
    }

    let bad = ctl.run(&["create", "w", "--name", "x", "--set", "cpus=2", "--set", "memory_mb=256", "--json"], None);
    assert_eq!(bad.status.code(), Some(2));
    let err: Value = serde_json::from_slice(&bad.stderr).expect("JSON error on stderr");
    assert_eq!(err["error"]["code"], "invalid_input");
    assert_eq!(err["error"]["field"], "memory_mb");
    assert_eq!(ctl.run(&["create", "w", "--name", "", "--json"], None).status.code(), Some(2), "empty name");
    assert_eq!(ctl.run(&["create", "w", "--name", "x", "--set", "volume_size_gb=9999"], None).status.code(), Some(2));

    let created =
        ctl.json(&["create", "w", "--name", "cli-box", "--set", "cpus=1", "--set", "memory_mb=1024", "--wait"]);
    assert_eq!(created["state"], "running");
    let id = created["id"].as_str().unwrap().to_string();
    assert!(created["name"].as_str().unwrap().starts_with("cli-box ("), "{}", created["name"]);

    let url = ctl.ok(&["open", "w", &id, "--print"]);
    assert!(url.trim().starts_with("http://3000-"), "{url}");
    assert_eq!(
        ctl.run(&["open", "w", &id, "--print", "--target", "vscode"], None).status.code(),
        Some(5),
        "no vscode link for Aether"
    );

    let stopped = ctl.json(&["stop", "w", &id, "--wait"]);
    assert_eq!(stopped["state"], "stopped");
    assert_eq!(ctl.run(&["stop", "w", &id], None).status.code(), Some(5), "stopping a stopped workspace is a conflict");
    assert_eq!(ctl.json(&["start", "w", &id, "--wait"])["state"], "running");

    assert_eq!(
        ctl.run(&["delete", "w", &id], None).status.code(),
        Some(2),
        "delete without --yes and no terminal refuses"
    );
    ctl.ok(&["delete", "w", &id, "--yes"]);
    assert!(!ctl.ok(&["ls"]).contains(&id));
    assert_eq!(ctl.run(&["start", "w", &id], None).status.code(), Some(4));
    ctl.ok(&["account", "rm", "w"]);
}

/// `show --json`: the workspace as `ls` prints it, plus the timeline Hangar observed with causes.
#[test]
fn show_prints_the_observed_timeline_with_its_causes() {
    let (_rt, demo) = demo();
    let ctl = Ctl::new("show");
    assert_eq!(ctl.add("w", &demo, TOKEN).status.code(), Some(0));
    let created = ctl.json(&["create", "w", "--name", "story", "--set", "cpus=1", "--set", "memory_mb=1024", "--wait"]);
    let id = created["id"].as_str().unwrap().to_string();
    ctl.json(&["stop", "w", &id, "--wait"]);
    ctl.json(&["start", "w", &id, "--wait"]);

    let shown = ctl.json(&["show", "w", &id]);
    for field in [
        "account",
        "provider",
        "id",
        "name",
        "state",
        "raw_state",
        "hardware",
        "links",
        "actions",
        "rate",
        "rate_source",
        "stops_at",
        "timeline",
    ] {
        assert!(shown.get(field).is_some(), "show --json has '{field}': {shown}");
    }
    let timeline = shown["timeline"].as_array().unwrap();
    let steps: Vec<(&str, &str)> =
        timeline.iter().map(|t| (t["to"].as_str().unwrap(), t["cause"].as_str().unwrap())).collect();
    let stopped = steps.iter().position(|s| *s == ("stopped", "you")).unwrap_or_else(|| panic!("{steps:?}"));
    assert!(steps[stopped..].contains(&("running", "you")), "the start follows the stop: {steps:?}");
    assert!(steps.iter().all(|(_, c)| ["you", "tray", "policy", "vendor"].contains(c)), "{steps:?}");
    let times: Vec<&str> = timeline.iter().map(|t| t["at"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "oldest first: {times:?}");
    assert!(timeline.iter().all(|t| t.get("from").is_some()));

    let raw = &shown["raw"];
    assert_eq!(raw["id"].as_str(), Some(id.as_str()), "the vendor's own record: {raw}");
    if let Some(token) = raw.get("preview_token").filter(|t| !t.is_null()) {
        assert_eq!(token, "(hidden)", "secrets leave the raw record");
    }

    let text = ctl.ok(&["show", "w", &id]);
    assert!(text.contains("timeline") && text.contains("-> stopped  (you)"), "{text}");
    assert_eq!(ctl.run(&["show", "w", ".."], None).status.code(), Some(2), "an id like .. is refused");
    assert_eq!(ctl.run(&["show", "w", "no-such-id"], None).status.code(), Some(4));

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(ctl.config.join("history.json")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the ledger is private");
    }
}

#[test]
fn one_failing_account_does_not_hide_the_others() {
    let (_rt, good) = demo();
    let (_rt2, broken) = demo();
    let ctl = Ctl::new("partial");
    assert_eq!(ctl.add("good", &good, TOKEN).status.code(), Some(0));
    assert_eq!(ctl.add("broken", &broken, TOKEN).status.code(), Some(0));
    for _ in 0..3 {
        broken.server.inject(
            Fault { retry_after: Some(30), ..Fault::status(429, r#"{"error":"slow down"}"#) }.on("/workspaces"),
        );
    }
    let out = ctl.run(&["ls", "--json"], None);
    assert_eq!(out.status.code(), Some(6), "exit code of the failing account's error");
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 3, "the good account's workspaces are printed");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("broken") && stderr.contains("retry in 30 s"), "{stderr}");
    ctl.ok(&["account", "rm", "good"]);
    ctl.ok(&["account", "rm", "broken"]);
}

#[test]
fn bad_input_gets_usage_errors() {
    let ctl = Ctl::new("usage");
    let remote_http = ctl.run(
        &["account", "add", "aether", "--name", "x", "--base-url", "http://example.com", "--no-verify"],
        Some("t\n"),
    );
    assert_eq!(remote_http.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&remote_http.stderr).contains("https"));
    assert_eq!(ctl.run(&["account", "add", "nope", "--name", "x"], Some("t\n")).status.code(), Some(2));
    assert_eq!(
        ctl.run(&["account", "add", "aether", "--name", "x", "--no-verify"], Some("")).status.code(),
        Some(2),
        "no credentials"
    );
    assert_eq!(ctl.run(&["ls", "--account", "missing"], None).status.code(), Some(4));
    assert_eq!(ctl.run(&["frobnicate"], None).status.code(), Some(2));
    let providers: Value = serde_json::from_str(&ctl.ok(&["providers", "--json"])).unwrap();
    assert!(providers
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["id"] == "aether" && p["credential_fields"][0]["key"] == "token"));
}

#[test]
fn two_processes_adding_accounts_at_once_lose_nothing() {
    let ctl = Ctl::new("concurrent");
    let spawn = |prefix: &'static str, config: PathBuf| {
        std::thread::spawn(move || {
            for i in 0..8 {
                let mut child = Command::new(env!("CARGO_BIN_EXE_hangarctl"))
                    .arg("--config-dir")
                    .arg(&config)
                    .args([
                        "account",
                        "add",
                        "aether",
                        "--name",
                        &format!("{prefix}-{i}"),
                        "--base-url",
                        "http://127.0.0.1:9",
                        "--no-verify",
                    ])
                    .stdin(Stdio::piped())
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap();
                child.stdin.take().unwrap().write_all(b"hangar-test-secret-concurrent\n").unwrap();
                let out = child.wait_with_output().unwrap();
                assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            }
        })
    };
    let (a, b) = (spawn("left", ctl.config.clone()), spawn("right", ctl.config.clone()));
    a.join().unwrap();
    b.join().unwrap();
    let accounts = ctl.json(&["account", "ls"]);
    assert_eq!(accounts.as_array().unwrap().len(), 16, "every account of both writers is kept: {accounts}");
    for a in accounts.as_array().unwrap() {
        ctl.ok(&["account", "rm", a["name"].as_str().unwrap()]);
    }
}

#[test]
fn a_process_killed_mid_write_leaves_a_readable_config() {
    let ctl = Ctl::new("killed");
    for i in 0..12u64 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hangarctl"))
            .arg("--config-dir")
            .arg(&ctl.config)
            .args([
                "account",
                "add",
                "aether",
                "--name",
                &format!("k{i}"),
                "--base-url",
                "http://127.0.0.1:9",
                "--no-verify",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(b"hangar-test-secret-killed\n").unwrap();
        // Spread the kills across the run: before, during and after the keyring and file writes.
        std::thread::sleep(std::time::Duration::from_millis(3 * i));
        let _ = child.kill(); // SIGKILL on Unix: no cleanup runs
        let _ = child.wait();
        let out = ctl.run(&["account", "ls", "--json"], None);
        assert_eq!(out.status.code(), Some(0), "after kill {i}: {}", String::from_utf8_lossy(&out.stderr));
        let list: Value = serde_json::from_slice(&out.stdout).expect("the account list is whole JSON");
        assert!(list.as_array().unwrap().len() as u64 <= i + 1);
    }
    for a in ctl.json(&["account", "ls"]).as_array().unwrap() {
        ctl.ok(&["account", "rm", a["name"].as_str().unwrap()]);
    }
}

#[test]
fn account_edit_checks_the_new_settings_before_saving_them() {
    let (rt, first) = demo();
    let second = rt.block_on(aether::start_with_token(Timing::quick(), TOKEN.into())).unwrap();
    let ctl = Ctl::new("edit");
    let name = "cli-edit";
    assert_eq!(ctl.add(name, &first, TOKEN).status.code(), Some(0));
    ctl.ok(&["account", "edit", name, "--option", "preview_port=8080", "--option", "note=kept"]);

    let bad = ctl.run(&["account", "edit", name, "--base-url", "http://example.com", "--json"], None);
    assert_eq!(bad.status.code(), Some(2), "plain http to a remote host is refused");
    let err: Value = serde_json::from_slice(&bad.stderr).expect("JSON error on stderr");
    assert_eq!(err["error"]["field"], "base_url", "the error names the field");

    // Another address never gets the stored token: the edit asks for it again on stdin.
    let asked = ctl.run(&["account", "edit", name, "--base-url", &second.server.base_url, "--json"], None);
    assert_eq!(asked.status.code(), Some(2), "{}", String::from_utf8_lossy(&asked.stderr));
    assert!(second.server.requests().is_empty(), "the new address was called: {:?}", second.server.requests());

    second.server.inject(Fault::status(401, r#"{"error":"Unauthorized"}"#).on("/profile"));
    let refused =
        ctl.run(&["account", "edit", name, "--base-url", &second.server.base_url], Some(&format!("{TOKEN}\n")));
    assert_eq!(
        refused.status.code(),
        Some(3),
        "the new URL answered 401: {}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let unchanged = &ctl.json(&["account", "ls"])[0];
    assert_eq!(unchanged["base_url"], first.server.base_url.as_str(), "nothing changed after a failed check");

    let moved = ctl.run(
        &["account", "edit", name, "--base-url", &second.server.base_url, "--option", "note="],
        Some(&format!("{TOKEN}\n")),
    );
    assert_eq!(moved.status.code(), Some(0), "{}", String::from_utf8_lossy(&moved.stderr));
    let edited = &ctl.json(&["account", "ls"])[0];
    assert_eq!(edited["base_url"], second.server.base_url.as_str());
    assert_eq!(edited["options"], serde_json::json!({"preview_port": "8080"}), "unnamed options kept, `note=` removed");
    let before = second.server.requests().len();
    ctl.ok(&["ls"]);
    assert!(second.server.requests().len() > before, "listing now asks the new base URL");
    assert!(keyring_lookup(name).is_some_and(|c| c.contains(TOKEN)), "the credentials stayed in the keyring");

    assert_eq!(ctl.run(&["account", "edit", "nobody"], None).status.code(), Some(4));
    ctl.ok(&["account", "rm", name]);
}

#[test]
fn account_credentials_are_replaced_only_after_a_call_with_them_succeeds() {
    let (_rt, demo) = demo();
    let ctl = Ctl::new("credentials");
    let name = "cli-credentials";
    assert_eq!(ctl.add(name, &demo, TOKEN).status.code(), Some(0));

    let refused = ctl.run(&["account", "credentials", name], Some("hangar-test-secret-revoked-key\n"));
    assert_eq!(refused.status.code(), Some(3), "{}", String::from_utf8_lossy(&refused.stderr));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("keeps its old credentials"));
    assert!(keyring_lookup(name).is_some_and(|c| c.contains(TOKEN)), "the old key stays after a refused one");

    let empty = ctl.run(&["account", "credentials", name, "--json"], Some("\n"));
    assert_eq!(empty.status.code(), Some(2));

    let replaced = ctl.run(&["account", "credentials", name], Some(&format!("{TOKEN}\n")));
    assert_eq!(replaced.status.code(), Some(0), "{}", String::from_utf8_lossy(&replaced.stderr));
    ctl.ok(&["ls"]);
    ctl.ok(&["account", "rm", name]);
}

#[test]
fn ids_that_walk_the_path_are_refused_before_any_request() {
    let (_rt, demo) = demo();
    let ctl = Ctl::new("ids");
    let name = "cli-ids";
    assert_eq!(ctl.add(name, &demo, TOKEN).status.code(), Some(0));
    let before = demo.server.requests().len();
    for args in [
        vec!["delete", name, "..", "--yes"],
        vec!["delete", name, ".", "--yes"],
        vec!["stop", name, "."],
        vec!["start", name, "a/b"],
        vec!["update", name, "x y", "--set", "cpus=2"],
        vec!["open", name, "", "--print"],
    ] {
        let out = ctl.run(&args, None);
        assert_eq!(out.status.code(), Some(2), "`{}`: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stderr).contains("workspace id"), "the error names the id");
    }
    for account in ["..", ".", "a/b", ""] {
        let out = ctl.run(&["stop", account, "w1"], None);
        assert_eq!(out.status.code(), Some(2), "account {account:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stderr).contains("account name"), "the error names the account");
    }
    assert_eq!(demo.server.requests().len(), before, "a request went out: {:?}", &demo.server.requests()[before..]);
    ctl.ok(&["account", "rm", name]);
}

#[test]
fn vendor_text_cannot_drive_the_terminal() {
    let (_rt, demo) = demo();
    let ctl = Ctl::new("escapes");
    let name = "cli-escapes";
    assert_eq!(ctl.add(name, &demo, TOKEN).status.code(), Some(0));
    let hostile = r#"{"projects":[{"id":"p1","name":"evil\u001b]52;c;cm0gLXJmIH4=\u0007\u001b[2J\u009b31m\u202egpj.exe","repo_url":null,"default_branch":"main","task_defaults":{}}]}"#;
    let workspaces = r#"{"workspaces":[{"id":"b2c3d4e5-6789-01ab-cdef-234567890abc","project_id":"p1","status":"running","hardware":{"cpu_kind":"shared","cpus":2,"memory_mb":2048,"volume_size_gb":10,"gpu_kind":null},"keep_active":false,"created_at":"2025-01-15T10:30:00Z"}]}"#;
    for args in [vec!["ls"], vec!["ls", "--json"]] {
        demo.server.inject(Fault::status(200, hostile).on("/projects"));
        demo.server.inject(Fault::status(200, workspaces).on("/workspaces"));
        let out = ctl.run(&args, None);
        let printed = String::from_utf8_lossy(&out.stdout);
        assert!(!printed.contains('\u{1b}') && !printed.contains('\u{7}'), "raw escape codes printed: {printed:?}");
        assert!(printed.contains("evil"), "the vendor's name is shown: {printed:?}");
        if args.len() == 1 {
            assert!(!printed.contains('\u{9b}') && !printed.contains('\u{202e}'), "{printed:?}");
        }
    }
    ctl.ok(&["account", "rm", name]);
}

#[test]
fn a_hung_server_ends_ls_within_the_default_timeout() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    // Accepts every connection and never answers.
    let held = std::thread::spawn(move || listener.incoming().take(8).map_while(Result::ok).collect::<Vec<_>>());
    let ctl = Ctl::new("hung");
    let added = ctl.run(
        &["account", "add", "strongly", "--name", "cli-hung", "--base-url", &base_url, "--no-verify"],
        Some("hangar-test-secret-hung-key\n"),
    );
    assert_eq!(added.status.code(), Some(0), "{}", String::from_utf8_lossy(&added.stderr));
    let started = std::time::Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_hangarctl"))
        .arg("--config-dir")
        .arg(&ctl.config)
        .args(["ls"])
        .env_remove("HANGAR_HTTP_TIMEOUT_SECS")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(7), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("within 20 s"), "{}", String::from_utf8_lossy(&out.stderr));
    // The contract's bound (the default timeout is 20 s): one timeout, not one per retry.
    assert!(took < std::time::Duration::from_secs(25), "ls took {took:?}");
    ctl.ok(&["account", "rm", "cli-hung"]);
    drop(held);
}

/// `ls --json` carries the money fields as the contract lists them: a vendor's rate in its
/// unit (Anyscale credits), the user's rates where the vendor has none (Aether), 0 when
/// stopped, a currency exactly when there is a rate.
#[test]
fn ls_json_carries_rates_and_deadlines_as_the_contract_says() {
    let (rt, aether_demo) = demo();
    let anyscale_token = "sss_hangartestsecretanyscalecli5c1d";
    let anyscale_demo =
        rt.block_on(hangar_demo::anyscale::start_with_token(Timing::quick(), anyscale_token.into())).unwrap();
    let ctl = Ctl::new("money");
    assert_eq!(ctl.add("w", &aether_demo, TOKEN).status.code(), Some(0));
    let added = ctl.run(
        &["account", "add", "anyscale", "--name", "any", "--base-url", &anyscale_demo.server.base_url],
        Some(&format!("{anyscale_token}\n")),
    );
    assert_eq!(added.status.code(), Some(0), "{}", String::from_utf8_lossy(&added.stderr));
    let rates = serde_json::json!({"rates": {"currency": "EUR", "gpu_per_hour": {"A100-40GB": 2.0},
        "cpu_core_per_hour": 0.05, "memory_gib_per_hour": 0.01}});
    std::fs::write(ctl.config.join("settings.json"), rates.to_string()).unwrap();

    let list = ctl.json(&["ls"]);
    let list = list.as_array().unwrap();
    assert!(list.len() >= 6, "both accounts listed: {list:?}");
    for w in list {
        for field in ["rate", "currency", "rate_source", "spent", "stops_at"] {
            assert!(w.get(field).is_some(), "ls --json has '{field}': {w}");
        }
        let (rate, currency) = (&w["rate"], &w["currency"]);
        assert!(rate.is_null() || rate.as_f64().is_some_and(|r| r >= 0.0), "rate is a number or null: {w}");
        let nothing_runs = w["state"] == "stopped" || w["state"] == "deleted";
        if rate.is_null() {
            assert!(currency.is_null(), "a null rate has a null currency: {w}");
        }
        if nothing_runs {
            assert_eq!(rate.as_f64(), Some(0.0), "a stopped workspace costs nothing per hour, priced or not: {w}");
        }
        assert!(["vendor", "your-rates", "unknown"].contains(&w["rate_source"].as_str().unwrap()), "{w}");
        assert_eq!(w["rate_source"] == "unknown", currency.is_null(), "an unknown source names no unit: {w}");
        assert!(w["spent"].is_null() || w["spent"].as_f64().is_some(), "{w}");
        if let Some(at) = w["stops_at"].as_str() {
            assert!(chrono::DateTime::parse_from_rfc3339(at).is_ok(), "stops_at is RFC 3339: {w}");
        }
    }
    let by_name = |n: &str| list.iter().find(|w| w["name"] == n).unwrap_or_else(|| panic!("{n} is listed"));
    let gpu = by_name("llm-finetune");
    assert_eq!((gpu["rate_source"].as_str(), gpu["currency"].as_str()), (Some("vendor"), Some("credits")));
    assert!(gpu["rate"].as_f64().unwrap() > 0.0, "{gpu}");
    let aether_gpu = list.iter().find(|w| w["hardware"]["gpu"]["kind"] == "a100-40gb").unwrap();
    assert_eq!(aether_gpu["rate_source"], "your-rates", "GPU kinds match whatever their case: {aether_gpu}");
    let hw = &aether_gpu["hardware"];
    let expected = 2.0 + hw["cpus"].as_f64().unwrap_or(0.0) * 0.05 + hw["memory_gb"].as_f64().unwrap_or(0.0) * 0.01;
    assert!((aether_gpu["rate"].as_f64().unwrap() - expected).abs() < 1e-9, "{aether_gpu}");
    assert_eq!(aether_gpu["currency"], "EUR");

    let table = ctl.ok(&["ls"]);
    assert!(table.lines().next().unwrap().contains("RATE"), "{table}");
    assert!(table.contains("cr/h") && table.contains(&format!("≈ €{expected:.2}/h")), "{table}");
    assert!(table.contains("idle "), "an idle policy is shown: {table}");
}

/// A hand-edited rate table Hangar cannot price with prices nothing; the listing still works.
#[test]
fn a_broken_rate_table_leaves_rates_unknown_and_ls_working() {
    let (_rt, demo) = demo();
    let ctl = Ctl::new("bad-rates");
    assert_eq!(ctl.add("w", &demo, TOKEN).status.code(), Some(0));
    let bad = r#"{"rates": {"currency": "euros", "cpu_core_per_hour": -1, "memory_gib_per_hour": 0.01}}"#;
    std::fs::write(ctl.config.join("settings.json"), bad).unwrap();
    let list = ctl.json(&["ls"]);
    assert!(!list.as_array().unwrap().is_empty());
    for w in list.as_array().unwrap() {
        let nothing_runs = w["state"] == "stopped" || w["state"] == "deleted";
        let rate = if nothing_runs { Some(0.0) } else { None };
        assert_eq!((w["rate"].as_f64(), w["currency"].is_null()), (rate, true), "no made-up price: {w}");
    }
}
