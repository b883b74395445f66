//! `hangarctl forward`, end to end on this machine: a real `sshd` on 127.0.0.1 stands "behind"
//! the exalsius demo cloud (a dev-container workspace whose SSH access is that sshd), a small
//! HTTP server listens on the remote side's port, and a page is fetched through
//! `127.0.0.1:LOCAL`. Ctrl-C (SIGINT), SIGTERM and the workspace stopping each end the forward,
//! and no ssh process is left after hangarctl exits. Needs a Secret Service (run by
//! `tests/run.sh`), `sshd`, `ssh` and `ssh-keygen`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Output, Stdio};
use std::time::{Duration, Instant};

use hangar_demo::{exalsius, Timing};
use serde_json::Value;

/// What a loaded 2-core machine may take to log in over ssh and notice a stop.
#[path = "../../core/tests/common/sshd.rs"]
mod sshd;

use sshd::{free_port, http_server, keygen, Sshd};

const WITHIN: Duration = Duration::from_secs(120);

fn get(url: &str) -> String {
    let addr = url.strip_prefix("http://").unwrap();
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    stream.write_all(b"GET / HTTP/1.0\r\nHost: x\r\n\r\n").unwrap();
    let mut page = String::new();
    let _ = stream.read_to_string(&mut page);
    page
}

struct Ctl {
    config: PathBuf,
    home: PathBuf,
}

impl Ctl {
    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_hangarctl"));
        c.arg("--config-dir").arg(&self.config).args(args).env("HOME", &self.home).env("HANGAR_POLL_MS", "200");
        c
    }

    fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut child =
            self.command(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        if let Some(input) = stdin {
            child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        }
        drop(child.stdin.take());
        child.wait_with_output().unwrap()
    }

    fn ok(&self, args: &[&str], stdin: Option<&str>) -> String {
        let out = self.run(args, stdin);
        assert_eq!(out.status.code(), Some(0), "`{}`: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `hangarctl forward` in the background, and the address it printed once it was up.
    fn forward(&self, args: &[&str]) -> (Child, String) {
        let mut full = vec!["forward"];
        full.extend_from_slice(args);
        let log = std::fs::File::create(self.config.with_extension("forward.log")).unwrap();
        let mut child = self.command(&full).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(log).spawn().unwrap();
        let mut stdout: BufReader<ChildStdout> = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        assert!(line.starts_with("http://127.0.0.1:"), "forward printed {line:?}: {}", self.forward_log());
        (child, line.trim().to_string())
    }

    fn forward_log(&self) -> String {
        std::fs::read_to_string(self.config.with_extension("forward.log")).unwrap_or_default()
    }
}

fn current_user() -> String {
    let out = Command::new("id").arg("-un").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// ssh processes forwarding to `local_port` (any parent: an orphan is re-parented).
fn ssh_forwarding(local_port: u16) -> usize {
    let needle = format!("127.0.0.1:{local_port}:localhost:");
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .map(|raw| raw.split(|b| *b == 0).map(|a| String::from_utf8_lossy(a).into_owned()).collect::<Vec<_>>())
        .filter(|argv| argv.first().is_some_and(|p| p.ends_with("ssh")) && argv.iter().any(|a| a.starts_with(&needle)))
        .count()
}

fn port_of(url: &str) -> u16 {
    url.rsplit(':').next().unwrap().parse().unwrap()
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill").args([&format!("-{name}"), &child.id().to_string()]).status().unwrap();
    assert!(status.success());
}

fn wait_exit(child: &mut Child, within: Duration) -> Option<i32> {
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        assert!(Instant::now() < deadline, "hangarctl forward did not exit");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_port_of_a_workspace_behind_the_demo_cloud_reaches_localhost_and_leaves_no_ssh_behind() {
    let dir = tempfile::tempdir().unwrap();
    let user_key = dir.path().join("user_key");
    keygen(&user_key);
    let sshd = Sshd::start(dir.path(), &user_key);
    let sshd_port = sshd.port();
    let remote_port = http_server("hello from the workspace");

    let rt = tokio::runtime::Runtime::new().unwrap();
    let demo = rt.block_on(exalsius::start(Timing::quick())).unwrap();
    let cloud = demo.cloud();
    let ctl = Ctl { config: dir.path().join("config"), home: dir.path().join("home") };
    let account = "fwd";
    let mut add = vec!["account", "add", "exalsius", "--name", account, "--base-url", &cloud.base_url];
    let options: Vec<String> =
        cloud.options.iter().map(|(k, v)| format!("{k}={v}")).chain([format!("ssh_user={}", current_user())]).collect();
    for o in &options {
        add.extend(["--option", o.as_str()]);
    }
    ctl.ok(&add, Some(&cloud.credentials.to_string()));
    let list: Value = serde_json::from_str(&ctl.ok(&["ls", "--account", account, "--json"], None)).unwrap();
    let ws = list.as_array().unwrap().iter().find(|w| w["name"] == "vscode-calm-heron").expect("the dev container");
    let id = ws["id"].as_str().unwrap().to_string();

    // A stopped workspace has nothing to forward: the contract's conflict.
    let stopped = ctl.run(&["forward", account, &id, &remote_port.to_string()], None);
    assert_eq!(stopped.status.code(), Some(5), "{}", String::from_utf8_lossy(&stopped.stderr));

    ctl.ok(&["start", account, &id, "--wait", "--timeout", "120"], None);
    demo.set_node_port(&id, sshd_port);
    // The user's own config includes Hangar's file, as after their consent; it also names the
    // test's key and a known-hosts file of its own (ssh reads neither from $HOME).
    let ssh_dir = ctl.home.join(".ssh");
    std::fs::create_dir_all(&ssh_dir).unwrap();
    std::fs::write(
        ssh_dir.join("config"),
        format!(
            "Include \"{}\"\nHost *\n  IdentityFile {}\n  IdentitiesOnly yes\n  UserKnownHostsFile {}\n",
            ssh_dir.join("hangar/config").display(),
            user_key.display(),
            dir.path().join("known_hosts").display()
        ),
    )
    .unwrap();

    // Ctrl-C.
    let (mut fwd, url) = ctl.forward(&[account, &id, &remote_port.to_string()]);
    let page = get(&url);
    assert!(page.contains("hello from the workspace"), "through {url}: {page:?}\n{}", ctl.forward_log());
    assert_eq!(ssh_forwarding(port_of(&url)), 1, "one ssh carries the forward");
    signal(&fwd, "INT");
    assert_eq!(wait_exit(&mut fwd, WITHIN), Some(0), "{}", ctl.forward_log());
    assert_eq!(ssh_forwarding(port_of(&url)), 0, "no ssh left after Ctrl-C");

    // SIGTERM, on a local port of the caller's choosing.
    let local = free_port();
    let (mut fwd, url) = ctl.forward(&[account, &id, &remote_port.to_string(), "--local", &local.to_string()]);
    assert_eq!(url, format!("http://127.0.0.1:{local}"));
    assert!(get(&url).contains("hello from the workspace"));
    // That port is taken now: a second forward on it is refused before any ssh starts.
    let taken = ctl.run(&["forward", account, &id, &remote_port.to_string(), "--local", &local.to_string()], None);
    assert_eq!(taken.status.code(), Some(2), "{}", String::from_utf8_lossy(&taken.stderr));
    signal(&fwd, "TERM");
    assert_eq!(wait_exit(&mut fwd, WITHIN), Some(0), "{}", ctl.forward_log());
    assert_eq!(ssh_forwarding(local), 0, "no ssh left after SIGTERM");

    // The workspace stops: the forward ends with it.
    let (mut fwd, url) = ctl.forward(&[account, &id, &remote_port.to_string()]);
    ctl.ok(&["stop", account, &id, "--wait", "--timeout", "120"], None);
    assert_eq!(wait_exit(&mut fwd, WITHIN), Some(5), "{}", ctl.forward_log());
    assert!(ctl.forward_log().contains("no longer running"), "{}", ctl.forward_log());
    assert_eq!(ssh_forwarding(port_of(&url)), 0, "no ssh left after the workspace stopped");
    drop(rt);
}
