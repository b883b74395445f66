//! Port forwarding: `ssh -N -L 127.0.0.1:LOCAL:localhost:REMOTE ALIAS` through the SSH alias
//! Hangar manages for a running workspace. OpenSSH does the work; Hangar picks the local
//! port, says when the forward is up (the local port answers) or why it is not (ssh's own
//! words, cleaned), and ends ssh when asked, when the workspace stops, or when Hangar goes:
//! each ssh is killed when its [`Forward`] drops, and [`Forwards`] holds them for the window.

use std::collections::{BTreeMap, VecDeque};
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::oneshot;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::hangar::SshAlias;
use crate::model::WorkspaceState;
use crate::watcher::Snapshot;

/// How long ssh gets to connect, log in and listen: a tunnelled login on a loaded machine
/// takes seconds, and `ConnectTimeout` bounds only the TCP part.
const UP_WITHIN: Duration = Duration::from_secs(60);

/// The lines of ssh's stderr kept to explain a failure.
const KEPT_LINES: usize = 12;

/// What to forward: a remote port of the host behind `alias` to a local one (free if `None`).
#[derive(Debug, Clone)]
pub struct ForwardSpec {
    pub alias: SshAlias,
    pub remote_port: u16,
    pub local_port: Option<u16>,
}

/// A forward that is up; ssh is killed when it drops.
pub struct Forward {
    local_port: u16,
    child: Child,
    stderr: Arc<Mutex<VecDeque<String>>>,
}

impl std::fmt::Debug for Forward {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Forward").field("local_port", &self.local_port).finish_non_exhaustive()
    }
}

/// The argv after `ssh` for a forward (no shell ever reads it).
pub fn ssh_args(spec: &ForwardSpec, local_port: u16) -> Result<Vec<String>> {
    check_alias(&spec.alias.alias)?;
    if spec.remote_port == 0 {
        return Err(Error::invalid("remote_port", "port 0 is no port"));
    }
    let mut args = vec!["-F".to_string(), spec.alias.config.to_string_lossy().into_owned()];
    for option in [
        // Never a prompt: no terminal and no window to answer it.
        "BatchMode=yes",
        // A forward that cannot listen is a failure, not a quiet session without it.
        "ExitOnForwardFailure=yes",
        // A first-seen host key is kept; a changed one is still refused.
        "StrictHostKeyChecking=accept-new",
        "ConnectTimeout=20",
        "ServerAliveInterval=15",
        "ServerAliveCountMax=3",
    ] {
        args.extend(["-o".to_string(), option.to_string()]);
    }
    args.extend([
        "-N".to_string(),
        "-L".to_string(),
        format!("127.0.0.1:{local_port}:localhost:{}", spec.remote_port),
        "--".to_string(),
        spec.alias.alias.clone(),
    ]);
    Ok(args)
}

fn check_alias(alias: &str) -> Result<()> {
    crate::ide::Folder::new(alias, "/").map(|_| ())
}

/// Starts ssh and waits until the local port answers, or says why it never will.
pub async fn start(spec: &ForwardSpec) -> Result<Forward> {
    let local_port = match spec.local_port {
        Some(0) => return Err(Error::invalid("local", "port 0 is no port")),
        Some(port) => {
            TcpListener::bind((Ipv4Addr::LOCALHOST, port))
                .map_err(|e| Error::invalid("local", format!("local port {port} is not free ({e})")))?;
            port
        }
        None => free_port()?,
    };
    let args = ssh_args(spec, local_port)?;
    let mut cmd = Command::new("ssh");
    cmd.args(&args).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped()).kill_on_drop(true);
    // Its own process group: a terminal's Ctrl-C reaches Hangar, which ends ssh itself.
    #[cfg(unix)]
    cmd.process_group(0);
    let mut child = cmd.spawn().map_err(|e| Error::Unavailable(format!("could not start ssh: {e}")))?;
    let stderr = Arc::new(Mutex::new(VecDeque::new()));
    if let Some(pipe) = child.stderr.take() {
        let kept = stderr.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(pipe).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                if let Ok(mut kept) = kept.lock() {
                    kept.push_back(line);
                    while kept.len() > KEPT_LINES {
                        kept.pop_front();
                    }
                }
            }
        });
    }
    let mut forward = Forward { local_port, child, stderr };
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, local_port));
    let deadline = tokio::time::Instant::now() + UP_WITHIN;
    loop {
        if let Ok(Some(_)) = forward.child.try_wait() {
            return Err(forward.failure(spec).await);
        }
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            return Ok(forward);
        }
        if tokio::time::Instant::now() >= deadline {
            forward.kill().await;
            return Err(Error::Unavailable(format!(
                "ssh to '{}' did not forward port {} within {}s",
                spec.alias.alias,
                spec.remote_port,
                UP_WITHIN.as_secs()
            )));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

impl Forward {
    pub fn local_port(&self) -> u16 {
        self.local_port
    }

    /// The page address the forward serves.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.local_port)
    }

    /// Waits until ssh ends on its own (the connection dropped); returns why.
    pub async fn ended(&mut self) -> String {
        let _ = self.child.wait().await;
        self.reason().await
    }

    /// Ends ssh and waits for it.
    pub async fn stop(mut self) {
        self.kill().await;
    }

    async fn kill(&mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }

    async fn failure(&mut self, spec: &ForwardSpec) -> Error {
        let why = self.reason().await;
        Error::Unavailable(format!("ssh to '{}' could not forward port {}: {why}", spec.alias.alias, spec.remote_port))
    }

    /// ssh's last words, cleaned: its stderr reader gets a moment to finish after the exit.
    async fn reason(&self) -> String {
        for _ in 0..20 {
            if Arc::strong_count(&self.stderr) == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        let lines: Vec<String> = self.stderr.lock().map(|l| l.iter().cloned().collect()).unwrap_or_default();
        let why = redact(&lines);
        if why.is_empty() {
            "ssh ended without saying why".into()
        } else {
            why
        }
    }
}

/// ssh's stderr as one line for a person: no key material, no control characters, no
/// known-hosts chatter, bounded.
pub fn redact(lines: &[String]) -> String {
    let kept: Vec<String> = lines
        .iter()
        .map(|l| l.chars().filter(|c| !c.is_control()).collect::<String>().trim().to_string())
        .filter(|l| !l.is_empty() && !l.starts_with("Warning: Permanently added"))
        .map(|l| if l.contains("PRIVATE KEY") || l.contains("BEGIN ") { "[redacted]".to_string() } else { l })
        .collect();
    let mut text = kept.join("; ");
    if text.chars().count() > 400 {
        text = text.chars().take(400).collect::<String>() + "…";
    }
    text
}

/// A loopback port nobody listens on now.
fn free_port() -> Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .map_err(|e| Error::Unavailable(format!("no free local port: {e}")))?;
    Ok(listener.local_addr()?.port())
}

/// One forward as the window shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ForwardInfo {
    pub id: u32,
    pub account: String,
    pub workspace_id: String,
    pub remote_port: u16,
    pub local_port: u16,
    pub url: String,
}

struct Held {
    info: ForwardInfo,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

/// The window's forwards: each ssh lives in a task that ends it on request, on its own
/// exit, or when this drops (quit).
#[derive(Default)]
pub struct Forwards {
    held: Arc<Mutex<BTreeMap<u32, Held>>>,
    next: Mutex<u32>,
}

impl Forwards {
    /// Holds a forward that is up, for the workspace `account`/`workspace_id`.
    pub fn hold(&self, account: &str, workspace_id: &str, remote_port: u16, mut forward: Forward) -> ForwardInfo {
        let id = {
            let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
            *next += 1;
            *next
        };
        let info = ForwardInfo {
            id,
            account: account.into(),
            workspace_id: workspace_id.into(),
            remote_port,
            local_port: forward.local_port(),
            url: forward.url(),
        };
        let (stop, stopped) = oneshot::channel();
        let held = self.held.clone();
        // Holding the lock until the entry is in keeps the task's removal after the insert.
        let mut map = self.lock();
        let task = tokio::spawn(async move {
            let ended = tokio::select! {
                why = forward.ended() => Some(why),
                _ = stopped => None,
            };
            match ended {
                Some(why) => tracing::info!(id, why = %why, "a port forward ended"),
                None => forward.stop().await,
            }
            if let Ok(mut held) = held.lock() {
                held.remove(&id);
            }
        });
        map.insert(id, Held { info: info.clone(), stop, task });
        info
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u32, Held>> {
        self.held.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn list(&self) -> Vec<ForwardInfo> {
        self.lock().values().map(|h| h.info.clone()).collect()
    }

    /// Ends one forward; `NotFound` if it is not held (it ended already).
    pub fn stop(&self, id: u32) -> Result<()> {
        let held = self.lock().remove(&id).ok_or_else(|| Error::NotFound(format!("no port forward {id}")))?;
        let _ = held.stop.send(());
        Ok(())
    }

    /// Ends the forwards of workspaces the snapshot does not show running (stopped, gone).
    pub fn keep_running(&self, snapshot: &Snapshot) {
        for id in not_running(&self.list(), snapshot) {
            let _ = self.stop(id);
        }
    }

    /// Ends every forward and waits until each ssh is gone (quit: nothing is left behind).
    pub async fn stop_all(&self) {
        let all: Vec<Held> = std::mem::take(&mut *self.lock()).into_values().collect();
        for held in all {
            let _ = held.stop.send(());
            let _ = held.task.await;
        }
    }
}

/// The forwards whose workspace a snapshot shows as not running. Cached cards (a stale
/// snapshot) and an account whose listing failed say nothing either way.
pub fn not_running(forwards: &[ForwardInfo], snapshot: &Snapshot) -> Vec<u32> {
    if snapshot.stale {
        return vec![];
    }
    forwards
        .iter()
        .filter(|f| !snapshot.failures.iter().any(|a| a.account == f.account))
        .filter(|f| {
            !snapshot
                .workspaces
                .iter()
                .any(|w| w.account == f.account && w.id == f.workspace_id && w.state == WorkspaceState::Running)
        })
        .map(|f| f.id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(alias: &str, config: &str) -> ForwardSpec {
        ForwardSpec {
            alias: SshAlias { alias: alias.into(), config: config.into() },
            remote_port: 8888,
            local_port: None,
        }
    }

    #[test]
    fn ssh_never_prompts_and_forwards_loopback_only() {
        let args = ssh_args(&spec("hangar-a-ws-00ff00ff", "/h/.ssh/hangar/config"), 40123).unwrap();
        let expected = [
            "-F",
            "/h/.ssh/hangar/config",
            "-o",
            "BatchMode=yes",
            "-o",
            "ExitOnForwardFailure=yes",
            "-o",
            "StrictHostKeyChecking=accept-new",
            "-o",
            "ConnectTimeout=20",
            "-o",
            "ServerAliveInterval=15",
            "-o",
            "ServerAliveCountMax=3",
            "-N",
            "-L",
            "127.0.0.1:40123:localhost:8888",
            "--",
            "hangar-a-ws-00ff00ff",
        ];
        assert_eq!(args, expected);
    }

    #[test]
    fn an_alias_that_could_be_an_option_is_refused() {
        for alias in ["-oProxyCommand=sh", "a b", "", "a;b"] {
            assert!(ssh_args(&spec(alias, "/c"), 1).is_err(), "{alias:?}");
        }
        let mut zero = spec("h", "/c");
        zero.remote_port = 0;
        assert!(ssh_args(&zero, 1).is_err());
    }

    #[test]
    fn sshs_words_are_cleaned_before_anyone_reads_them() {
        let lines: Vec<String> = [
            "Warning: Permanently added '[127.0.0.1]:2222' (ED25519) to the list of known hosts.",
            "-----BEGIN OPENSSH PRIVATE KEY-----",
            "dev@127.0.0.1: Permission denied (publickey).\u{1b}[0m",
            "",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(redact(&lines), "[redacted]; dev@127.0.0.1: Permission denied (publickey).[0m");
        assert!(redact(&["x".repeat(1000)]).chars().count() <= 401);
    }

    #[test]
    fn forwards_end_with_their_workspace_but_not_on_a_failed_listing() {
        use crate::model::{ProviderId, Workspace};
        let info = |id: u32, account: &str, ws: &str| ForwardInfo {
            id,
            account: account.into(),
            workspace_id: ws.into(),
            remote_port: 8888,
            local_port: 40000,
            url: "http://127.0.0.1:40000".into(),
        };
        let forwards = [info(1, "a", "run"), info(2, "a", "stopped"), info(3, "a", "gone"), info(4, "b", "x")];
        let mut snap = Snapshot {
            workspaces: vec![
                Workspace::bare("a", ProviderId::Exalsius, "run", WorkspaceState::Running),
                Workspace::bare("a", ProviderId::Exalsius, "stopped", WorkspaceState::Stopped),
            ],
            failures: vec![crate::hangar::AccountFailure {
                account: "b".into(),
                error: Error::Unavailable("down".into()).payload(),
            }],
            ..Snapshot::default()
        };
        assert_eq!(not_running(&forwards, &snap), [2, 3]);
        snap.stale = true;
        assert!(not_running(&forwards, &snap).is_empty(), "cached cards end nothing");
    }

    #[tokio::test]
    async fn a_local_port_in_use_is_refused_before_ssh_starts() {
        let taken = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let mut s = spec("h", "/c");
        s.local_port = Some(taken.local_addr().unwrap().port());
        let err = start(&s).await.unwrap_err();
        assert_eq!(err.field(), Some("local"), "{err}");
    }
}
