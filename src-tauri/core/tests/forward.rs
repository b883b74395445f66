//! The window's port forwards (`forward::Forwards`) against a real `sshd` on 127.0.0.1: a page
//! comes through `127.0.0.1:LOCAL`; a forward ends when a snapshot shows its workspace
//! stopped, when asked, all of them on quit, and when the runtime holding them goes; a
//! refused login says why. After each, no ssh process is left. Needs `sshd`, `ssh` and
//! `ssh-keygen` (installed by `tests/setup.sh`); no keyring, no demo cloud.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use hangar_core::forward::{self, ForwardSpec, Forwards};
use hangar_core::hangar::SshAlias;
use hangar_core::watcher::Snapshot;
use hangar_core::{ProviderId, Workspace, WorkspaceState};

#[path = "common/sshd.rs"]
mod sshd;

use sshd::{free_port, http_server, keygen, Sshd};

const ALIAS: &str = "hangar-fwd-test-00ff00ff";

/// An sshd of the test's own that accepts `authorized` only, and an SSH config whose `ALIAS`
/// logs in to it as the current user with `identity`.
fn setup(dir: &Path, identity: &Path, authorized: &Path) -> (Sshd, PathBuf) {
    let sshd = Sshd::start(dir, authorized);
    let port = sshd.port();
    let user = String::from_utf8(Command::new("id").arg("-un").output().unwrap().stdout).unwrap();
    let config = dir.join("ssh_config");
    std::fs::write(
        &config,
        format!(
            "Host {ALIAS}\n  HostName 127.0.0.1\n  Port {port}\n  User {}\n  IdentityFile {}\n  IdentitiesOnly yes\n  \
             UserKnownHostsFile {}\n",
            user.trim(),
            identity.display(),
            dir.join("known_hosts").display()
        ),
    )
    .unwrap();
    (sshd, config)
}

fn get(url: &str) -> String {
    let mut stream = TcpStream::connect(url.strip_prefix("http://").unwrap()).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    stream.write_all(b"GET / HTTP/1.0\r\n\r\n").unwrap();
    let mut page = String::new();
    let _ = stream.read_to_string(&mut page);
    page
}

/// Live ssh processes forwarding to `local` (a zombie has no command line).
fn ssh_forwarding(local: u16) -> usize {
    let needle = format!("127.0.0.1:{local}:localhost:");
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .filter(|raw| {
            let argv: Vec<String> = raw.split(|b| *b == 0).map(|a| String::from_utf8_lossy(a).into_owned()).collect();
            argv.first().is_some_and(|p| p.ends_with("ssh")) && argv.iter().any(|a| a.starts_with(&needle))
        })
        .count()
}

fn until_no_ssh(local: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while ssh_forwarding(local) > 0 {
        assert!(Instant::now() < deadline, "ssh still forwarding {local} after {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn spec(config: &Path, remote_port: u16) -> ForwardSpec {
    ForwardSpec { alias: SshAlias { alias: ALIAS.into(), config: config.to_path_buf() }, remote_port, local_port: None }
}

fn snapshot(state: WorkspaceState) -> Snapshot {
    Snapshot { workspaces: vec![Workspace::bare("acct", ProviderId::Exalsius, "ws", state)], ..Snapshot::default() }
}

#[test]
fn forwards_carry_a_page_and_leave_no_ssh_behind() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key");
    keygen(&key);
    let (_sshd, config) = setup(dir.path(), &key, &key);
    let remote = http_server("forward");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let forwards = Forwards::default();

    // Up, a page through it; a snapshot with the workspace running keeps it.
    let fwd = rt.block_on(forward::start(&spec(&config, remote))).unwrap();
    let info = rt.block_on(async { forwards.hold("acct", "ws", remote, fwd) });
    assert!(get(&info.url).contains("forward"), "a page through {}", info.url);
    assert_eq!(ssh_forwarding(info.local_port), 1);
    rt.block_on(async { forwards.keep_running(&snapshot(WorkspaceState::Running)) });
    assert_eq!(forwards.list(), std::slice::from_ref(&info));
    // The workspace stops: its forward ends.
    rt.block_on(async { forwards.keep_running(&snapshot(WorkspaceState::Stopped)) });
    until_no_ssh(info.local_port, "the workspace stopped");
    assert!(forwards.list().is_empty());

    // On request.
    let fwd = rt.block_on(forward::start(&spec(&config, remote))).unwrap();
    let info = rt.block_on(async { forwards.hold("acct", "ws", remote, fwd) });
    forwards.stop(info.id).unwrap();
    until_no_ssh(info.local_port, "stop");
    assert!(forwards.stop(info.id).is_err(), "a forward ends once");

    // Quit: every forward ends before stop_all returns.
    let locals: Vec<u16> = (0..2)
        .map(|_| {
            let fwd = rt.block_on(forward::start(&spec(&config, remote))).unwrap();
            rt.block_on(async { forwards.hold("acct", "ws", remote, fwd) }).local_port
        })
        .collect();
    rt.block_on(forwards.stop_all());
    for local in &locals {
        assert_eq!(ssh_forwarding(*local), 0, "no ssh left after stop_all");
    }

    // The runtime goes without stop_all (a crash of the window's side): ssh dies with it.
    let fwd = rt.block_on(forward::start(&spec(&config, remote))).unwrap();
    let local = rt.block_on(async { forwards.hold("acct", "ws", remote, fwd) }).local_port;
    drop(rt);
    until_no_ssh(local, "the runtime was dropped");
}

#[test]
fn a_refused_login_says_why_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (key, other) = (dir.path().join("key"), dir.path().join("other"));
    keygen(&key);
    keygen(&other);
    // sshd accepts `other` only; the alias logs in with `key`.
    let (_sshd, config) = setup(dir.path(), &key, &other);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut s = spec(&config, 8080);
    let local = free_port();
    s.local_port = Some(local);
    let err = rt.block_on(forward::start(&s)).unwrap_err();
    assert_eq!(err.code(), "unavailable", "{err}");
    assert!(err.to_string().contains("Permission denied"), "{err}");
    assert!(!err.to_string().contains("PRIVATE KEY"), "{err}");
    assert_eq!(ssh_forwarding(local), 0);
}
