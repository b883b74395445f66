//! "Open in VS Code" for an Anyscale workspace, as far as this machine can take it without
//! VS Code: `hangarctl open --target vscode` writes the host alias, and OpenSSH's own `ssh`
//! then logs in through that alias to a real `sshd`, by way of the alias's ProxyCommand
//! (`hangarctl tunnel`) and the demo cluster's WebSocket tunnel. Needs a Secret Service (run
//! by `tests/run.sh`), `sshd` and `ssh-keygen` (installed by `tests/setup.sh`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use hangar_demo::anyscale;
use hangar_demo::Timing;
use serde_json::Value;

#[path = "../../core/tests/common/sshd.rs"]
mod sshd;

use sshd::{keygen, Sshd};

struct Ctl {
    config: PathBuf,
    home: PathBuf,
}

impl Ctl {
    fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hangarctl"))
            .arg("--config-dir")
            .arg(&self.config)
            .args(args)
            .env("HOME", &self.home)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
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
}

fn current_user() -> String {
    let out = Command::new("id").arg("-un").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn vscode_link_alias_logs_in_to_the_workspace_through_the_providers_tunnel() {
    let dir = tempfile::tempdir().unwrap();
    let user_key = dir.path().join("user_key");
    keygen(&user_key);
    let sshd = Sshd::start(dir.path(), &user_key);

    let rt = tokio::runtime::Runtime::new().unwrap();
    let demo = rt.block_on(anyscale::start(Timing::quick())).unwrap();
    demo.set_ssh_server(sshd.addr, &std::fs::read_to_string(&user_key).unwrap());

    let ctl = Ctl { config: dir.path().join("config"), home: dir.path().join("home") };
    std::fs::create_dir_all(&ctl.home).unwrap();
    let account = "ssh-tunnel-anyscale";
    ctl.ok(
        &["account", "add", "anyscale", "--name", account, "--base-url", &demo.server.base_url],
        Some(&format!("{}\n", demo.token())),
    );
    let list: Value = serde_json::from_str(&ctl.ok(&["ls", "--account", account, "--json"], None)).unwrap();
    let running = list.as_array().unwrap().iter().find(|w| w["state"] == "running").expect("a running workspace");
    let id = running["id"].as_str().unwrap();

    // Without consent, nothing is written and the exit code is a usage error.
    let asked = ctl.run(&["open", account, id, "--target", "vscode", "--print"], None);
    assert_eq!(asked.status.code(), Some(2), "{}", String::from_utf8_lossy(&asked.stderr));
    assert!(String::from_utf8_lossy(&asked.stderr).contains("Include"), "{}", String::from_utf8_lossy(&asked.stderr));
    assert!(!ctl.home.join(".ssh/config").exists());

    let url = ctl.ok(&["open", account, id, "--target", "vscode", "--print", "--ssh-include", "allow"], None);
    let alias = url.trim().strip_prefix("vscode://vscode-remote/ssh-remote+").unwrap().split('/').next().unwrap();
    assert!(alias.starts_with("hangar-ssh-tunnel-anyscale-"), "{url}");

    // OpenSSH itself, reading the user's config (which now includes Hangar's file). The user
    // is overridden because the demo cluster's `ray` account does not exist on this machine.
    let user_config = ctl.home.join(".ssh/config");
    let ssh = Command::new("ssh")
        .arg("-F")
        .arg(&user_config)
        .args(["-o", "BatchMode=yes", "-o", "ConnectTimeout=20", "-l", &current_user(), alias])
        .arg("echo hello-from-the-cluster; echo $SSH_CONNECTION")
        .env("HOME", &ctl.home)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&ssh.stdout);
    assert!(
        stdout.contains("hello-from-the-cluster"),
        "ssh through the alias failed: {}\nsshd: {}",
        String::from_utf8_lossy(&ssh.stderr),
        sshd.log()
    );
    let connection = stdout.lines().nth(1).unwrap_or_default().trim();
    assert!(connection.ends_with(&format!(" {}", sshd.addr.port())), "the session ends at the test's sshd: {stdout}");
    let tunnels = demo.server.requests().iter().filter(|r| r.contains("cluster_access_token")).count();
    assert!(tunnels >= 1, "the tunnel minted a cluster token: {:?}", demo.server.requests());
    drop(rt);
}
