//! IDE links through Hangar's managed SSH config, and the tunnel behind them, against the
//! Anyscale demo cloud over real loopback sockets (the SSH server is a TCP echo here; the
//! CLI suite runs a real `sshd` behind the same tunnel).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use hangar_core::hangar::SshSetup;
use hangar_core::http::HttpSettings;
use hangar_core::secrets::{Credentials, MemoryStore};
use hangar_core::settings::SshIncludeConsent;
use hangar_core::ssh::ManagedSsh;
use hangar_core::storage::{Paths, Storage};
use hangar_core::{Account, Error, Hangar, LinkKind, ProviderId, WorkspaceState};
use hangar_demo::anyscale::{self, AnyscaleDemo};
use hangar_demo::Timing;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ACCOUNT: &str = "acme";

struct Env {
    hangar: Hangar,
    demo: AnyscaleDemo,
    home: tempfile::TempDir,
    running: String,
    stopped: String,
}

impl Env {
    fn ssh(&self) -> ManagedSsh {
        ManagedSsh::at(self.home.path().join(".ssh"))
    }

    fn consent(&self, consent: SshIncludeConsent) {
        let mut settings = self.hangar.storage().settings();
        settings.ssh_include = consent;
        self.hangar.storage().save_settings(&settings).unwrap();
    }

    fn user_config(&self) -> String {
        std::fs::read_to_string(self.ssh().user_config()).unwrap_or_default()
    }
}

async fn env() -> Env {
    env_with(ACCOUNT, PathBuf::from("/opt/hangar/hangarctl")).await
}

async fn env_with(account_name: &str, tunnel_program: PathBuf) -> Env {
    let demo = anyscale::start(Timing::quick()).await.expect("demo cloud starts");
    let home = tempfile::tempdir().unwrap();
    let paths = Paths { config: home.path().join("config"), cache: home.path().join("cache") };
    let setup = SshSetup { managed: ManagedSsh::at(home.path().join(".ssh")), tunnel_program };
    let http = HttpSettings { connect_timeout: Duration::from_secs(2), timeout: Duration::from_secs(5), retries: 0 };
    let hangar = Hangar::new(Storage::on_disk(paths), Arc::new(MemoryStore::default()), http).with_ssh(setup);
    let account = Account {
        name: account_name.into(),
        provider: ProviderId::Anyscale,
        base_url: Some(demo.server.base_url.clone()),
        options: BTreeMap::new(),
    };
    hangar.add_account(account, Credentials::single("token", demo.token()), true).await.unwrap();
    let all = hangar.list(None).await.unwrap().workspaces;
    let find = |s: WorkspaceState| all.iter().find(|w| w.state == s).map(|w| w.id.clone()).unwrap();
    let (running, stopped) = (find(WorkspaceState::Running), find(WorkspaceState::Stopped));
    Env { hangar, demo, home, running, stopped }
}

#[tokio::test]
async fn the_first_ide_link_asks_before_touching_the_users_ssh_config() {
    let e = env().await;
    std::fs::create_dir_all(e.home.path().join(".ssh")).unwrap();
    std::fs::write(e.ssh().user_config(), "Host mine\n  User me\n").unwrap();
    let err = e.hangar.open(ACCOUNT, &e.running, LinkKind::Vscode).await.unwrap_err();
    assert_eq!(err.code(), "consent_needed", "{err}");
    assert!(err.to_string().contains(&e.ssh().include_line()), "the message names the exact line: {err}");
    assert_eq!(e.user_config(), "Host mine\n  User me\n");
    assert!(!e.home.path().join(".ssh/hangar").exists(), "nothing is fetched or written before consent");
    assert!(!e.demo.server.requests().iter().any(|r| r.contains("ssh_key")));
}

#[tokio::test]
async fn allowed_it_writes_the_alias_its_key_and_one_include() {
    let e = env().await;
    e.consent(SshIncludeConsent::Allowed);
    let link = e.hangar.open(ACCOUNT, &e.running, LinkKind::Vscode).await.unwrap();
    let alias = link.ssh_alias.clone().unwrap();
    assert!(link.url.starts_with(&format!("vscode://vscode-remote/ssh-remote+{alias}/")), "{}", link.url);

    let block = std::fs::read_to_string(e.home.path().join(format!(".ssh/hangar/hosts/{alias}.conf"))).unwrap();
    let config_dir = e.home.path().join("config");
    assert!(block.contains(&format!("Host {alias}\n")), "{block}");
    assert!(
        block.contains(&format!(
            "ProxyCommand /opt/hangar/hangarctl --config-dir {} tunnel -- {ACCOUNT} {}",
            config_dir.display(),
            e.running
        )),
        "{block}"
    );
    assert!(block.contains("User ray") && block.contains("Port 443"), "{block}");
    let key = std::fs::read_to_string(e.home.path().join(format!(".ssh/hangar/keys/{alias}"))).unwrap();
    assert!(key.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----"));
    assert!(!std::fs::read_to_string(config_dir.join("accounts.json")).unwrap_or_default().contains("PRIVATE KEY"));

    // Opening again keeps a single include line.
    e.hangar.open(ACCOUNT, &e.running, LinkKind::Cursor).await.unwrap();
    assert_eq!(e.user_config().matches("Include").count(), 1, "{}", e.user_config());
    assert!(e.ssh().is_included().unwrap());

    // The alias and its key go with the workspace.
    e.hangar.act(ACCOUNT, &e.running, hangar_core::Action::Stop).await.unwrap();
    e.hangar
        .wait(
            ACCOUNT,
            &e.running,
            |s| s == WorkspaceState::Stopped,
            Duration::from_secs(20),
            Duration::from_millis(100),
        )
        .await
        .unwrap();
    e.hangar.act(ACCOUNT, &e.running, hangar_core::Action::Delete).await.unwrap();
    assert!(!e.home.path().join(format!(".ssh/hangar/hosts/{alias}.conf")).exists());
    assert!(!e.home.path().join(format!(".ssh/hangar/keys/{alias}")).exists());
    assert!(e.ssh().is_included().unwrap(), "the include line stays: other workspaces may use it");
}

/// Every IDE goes through the one alias; Gateway's link also names the host block's user and port.
#[tokio::test]
async fn every_ide_opens_through_the_same_alias() {
    let e = env().await;
    e.consent(SshIncludeConsent::Allowed);
    let vscode = e.hangar.open(ACCOUNT, &e.running, LinkKind::Vscode).await.unwrap();
    let alias = vscode.ssh_alias.clone().unwrap();
    let dir = vscode.url.strip_prefix(&format!("vscode://vscode-remote/ssh-remote+{alias}")).unwrap().to_string();
    let expected = [
        (LinkKind::VscodeInsiders, format!("vscode-insiders://vscode-remote/ssh-remote+{alias}{dir}")),
        (LinkKind::Windsurf, format!("windsurf://vscode-remote/ssh-remote+{alias}{dir}")),
        (LinkKind::Zed, format!("zed://ssh/{alias}{dir}")),
        (
            LinkKind::Jetbrains,
            format!(
                "jetbrains-gateway://connect#type=ssh&host={alias}&port=443&user=ray&projectPath={}",
                dir.replace('/', "%2F")
            ),
        ),
    ];
    for (kind, url) in expected {
        let link = e.hangar.open(ACCOUNT, &e.running, kind).await.unwrap();
        assert_eq!((link.url.as_str(), link.ssh_alias.as_deref()), (url.as_str(), Some(alias.as_str())), "{kind}");
        hangar_core::platform::check_openable(&link.url).unwrap();
    }
    // A port forward gets the same alias, read through the user's config (it includes Hangar's).
    let forward = e.hangar.ssh_alias(ACCOUNT, &e.running).await.unwrap();
    assert_eq!((forward.alias, forward.config), (alias, e.ssh().user_config()));
    let stopped = e.hangar.ssh_alias(ACCOUNT, &e.stopped).await.unwrap_err();
    assert!(matches!(stopped, Error::Conflict(_)), "{stopped}");
}

/// Without the include line, a forward's ssh reads Hangar's file alone, and nobody is asked.
#[tokio::test]
async fn a_forward_needs_no_consent_and_reads_hangars_file_alone() {
    let e = env().await;
    let forward = e.hangar.ssh_alias(ACCOUNT, &e.running).await.unwrap();
    assert_eq!(forward.config, e.ssh().managed_config());
    assert!(e.home.path().join(format!(".ssh/hangar/hosts/{}.conf", forward.alias)).exists());
    assert!(!e.ssh().user_config().exists(), "the user's config is left alone");
}

#[tokio::test]
async fn declined_it_writes_the_alias_but_leaves_the_users_config_alone() {
    let e = env().await;
    e.consent(SshIncludeConsent::Declined);
    let err = e.hangar.open(ACCOUNT, &e.running, LinkKind::Vscode).await.unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    assert!(err.to_string().contains(&e.ssh().include_line()), "{err}");
    assert_eq!(e.user_config(), "");
    // Once the user includes it by hand, the link opens.
    std::fs::create_dir_all(e.home.path().join(".ssh")).unwrap();
    std::fs::write(e.ssh().user_config(), format!("{}\n", e.ssh().include_line())).unwrap();
    e.hangar.open(ACCOUNT, &e.running, LinkKind::Vscode).await.unwrap();
}

#[tokio::test]
async fn a_stopped_workspace_has_no_ide_link_and_says_why() {
    let e = env().await;
    e.consent(SshIncludeConsent::Allowed);
    let err = e.hangar.open(ACCOUNT, &e.stopped, LinkKind::Vscode).await.unwrap_err();
    assert!(err.to_string().contains("links open once it is running"), "{err}");
    // The browser link needs no SSH at all.
    let link = e.hangar.open(ACCOUNT, &e.stopped, LinkKind::Browser).await.unwrap();
    assert!(link.ssh_alias.is_none());
}

/// A one-connection TCP echo server standing in for the cluster's sshd.
async fn echo_server() -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let (mut r, mut w) = socket.split();
                let _ = tokio::io::copy(&mut r, &mut w).await;
            });
        }
    });
    addr
}

#[tokio::test]
async fn the_tunnel_carries_bytes_both_ways_with_a_fresh_cluster_token() {
    let e = env().await;
    e.demo.set_ssh_server(
        echo_server().await,
        "-----BEGIN OPENSSH PRIVATE KEY-----\nk\n-----END OPENSSH PRIVATE KEY-----",
    );
    let target = e.hangar.tunnel(ACCOUNT, &e.running).await.unwrap();
    assert!(target.url.starts_with("ws://127.0.0.1:") && target.url.ends_with("/sshws"), "{}", target.url);
    assert!(!format!("{target:?}").contains(&target.bearer));

    let (mut ours, theirs) = tokio::io::duplex(64 * 1024);
    let (their_in, their_out) = tokio::io::split(theirs);
    let pump = tokio::spawn({
        let target = target.clone();
        async move { hangar_core::tunnel::pump(&target, their_in, their_out).await }
    });
    let payload: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    let (mut read_half, mut write_half) = tokio::io::split(&mut ours);
    let (sent, echoed) = tokio::join!(
        async {
            write_half.write_all(&payload).await.unwrap();
        },
        async {
            let mut back = vec![0u8; payload.len()];
            read_half.read_exact(&mut back).await.unwrap();
            back
        }
    );
    let () = sent;
    assert_eq!(echoed, payload, "every byte comes back in order");
    drop(ours);
    tokio::time::timeout(Duration::from_secs(10), pump).await.expect("the pump ends with its input").unwrap().unwrap();
}

#[tokio::test]
async fn a_wrong_token_or_a_stopped_cluster_gets_no_tunnel() {
    let e = env().await;
    e.demo.set_ssh_server(echo_server().await, "k");
    let mut target = e.hangar.tunnel(ACCOUNT, &e.running).await.unwrap();
    target.bearer = "cat_forged".into();
    let err = hangar_core::tunnel::pump(&target, tokio::io::empty(), tokio::io::sink()).await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)), "{err:?}");
    assert!(!err.to_string().contains("cat_forged"));

    let err = e.hangar.tunnel(ACCOUNT, &e.stopped).await.unwrap_err();
    assert!(err.to_string().contains("SSH opens once it is running"), "{err}");
}

#[tokio::test]
async fn demo_clusters_without_an_ssh_server_say_so() {
    let e = env().await;
    let target = e.hangar.tunnel(ACCOUNT, &e.running).await.unwrap();
    let err = hangar_core::tunnel::pump(&target, tokio::io::empty(), tokio::io::sink()).await.unwrap_err();
    assert!(err.to_string().contains("503"), "{err}");
}

#[tokio::test]
async fn a_wss_tunnel_goes_through_tls_and_refuses_a_server_without_it() {
    // A plain TCP server that answers garbage: the TLS handshake (rustls, the system's roots)
    // must fail as an error, never as a panic or an unencrypted connection.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let _ = socket.write_all(b"HTTP/1.1 200 OK\r\n\r\nnot tls").await;
        }
    });
    let target = hangar_core::tunnel::TunnelTarget { url: format!("wss://127.0.0.1:{port}/sshws"), bearer: "t".into() };
    let err = hangar_core::tunnel::pump(&target, tokio::io::empty(), tokio::io::sink()).await.unwrap_err();
    assert!(matches!(err, Error::Unavailable(_)), "{err:?}");
    // Spoken in plain text, the exchange would have read the 200 and failed on that status.
    assert!(!err.to_string().contains("200"), "the failure is the TLS handshake, not the HTTP answer: {err}");
}

impl Env {
    fn host_block(&self, alias: &str) -> PathBuf {
        self.home.path().join(format!(".ssh/hangar/hosts/{alias}.conf"))
    }

    fn key_file(&self, alias: &str) -> PathBuf {
        self.home.path().join(format!(".ssh/hangar/keys/{alias}"))
    }

    /// Opens a running workspace in VS Code (consent given) and returns its alias.
    async fn open_vscode(&self, id: &str) -> String {
        self.consent(SshIncludeConsent::Allowed);
        let link = self.hangar.open(ACCOUNT, id, LinkKind::Vscode).await.unwrap();
        let alias = link.ssh_alias.unwrap();
        assert!(self.host_block(&alias).exists() && self.key_file(&alias).exists(), "{alias} written");
        alias
    }

    /// Another Hangar on the same account (another machine, the web console): what it does
    /// leaves no trace in this one's SSH files.
    async fn elsewhere(&self) -> Hangar {
        let hangar = Hangar::new(Storage::in_memory(), Arc::new(MemoryStore::default()), HttpSettings::default());
        hangar
            .add_account(self.hangar.account(ACCOUNT).unwrap(), Credentials::single("token", self.demo.token()), true)
            .await
            .unwrap();
        hangar
    }
}

#[tokio::test]
async fn two_workspaces_with_one_name_get_their_own_alias_and_tunnel() {
    let e = env().await;
    let first = e.hangar.get(ACCOUNT, &e.running).await.unwrap();
    // Names are unique per project only: the twin goes in the other one.
    let project = match first.details.get("project").map(String::as_str) {
        Some("ml-research") => "prj_defaultaws01",
        _ => "prj_mlresearch01",
    };
    let input = BTreeMap::from([("project".to_string(), project.to_string())]);
    let twin = e.hangar.create(ACCOUNT, &first.name, &input).await.unwrap();
    assert_ne!(twin.id, e.running);
    e.hangar
        .wait(ACCOUNT, &twin.id, |s| s == WorkspaceState::Running, Duration::from_secs(20), Duration::from_millis(100))
        .await
        .unwrap();
    let (a, b) = (e.open_vscode(&e.running).await, e.open_vscode(&twin.id).await);
    assert_ne!(a, b, "one alias per workspace, not per name");
    assert!(a.contains(&first.name) && b.contains(&first.name), "the alias stays readable: {a}, {b}");
    for (alias, id) in [(&a, &e.running), (&b, &twin.id)] {
        let block = std::fs::read_to_string(e.host_block(alias)).unwrap();
        assert!(block.contains(&format!("tunnel -- {ACCOUNT} {id}")), "{alias} leads to {id}: {block}");
    }
    // The link the list shows names the same alias the block was written for.
    let listed = e.hangar.get(ACCOUNT, &twin.id).await.unwrap();
    assert!(listed.links.iter().any(|l| l.ssh_alias.as_deref() == Some(b.as_str())));
}

#[tokio::test]
async fn a_workspace_deleted_elsewhere_loses_its_alias_on_the_next_successful_list() {
    let e = env().await;
    let alias = e.open_vscode(&e.running).await;
    let other = e.elsewhere().await;
    other.act(ACCOUNT, &e.running, hangar_core::Action::Stop).await.unwrap();
    other
        .wait(
            ACCOUNT,
            &e.running,
            |s| s == WorkspaceState::Stopped,
            Duration::from_secs(20),
            Duration::from_millis(100),
        )
        .await
        .unwrap();
    other.act(ACCOUNT, &e.running, hangar_core::Action::Delete).await.unwrap();

    e.demo.server.inject(list_failure());
    let failed = e.hangar.list(Some(ACCOUNT)).await.unwrap();
    assert_eq!(failed.failures.len(), 1, "the injected fault fails the list");
    assert!(e.host_block(&alias).exists(), "a failed list is no evidence that a workspace is gone");

    let listing = e.hangar.list(Some(ACCOUNT)).await.unwrap();
    assert!(listing.failures.is_empty() && !listing.workspaces.iter().any(|w| w.id == e.running));
    assert!(!e.host_block(&alias).exists(), "the block goes with the workspace");
    assert!(!e.key_file(&alias).exists(), "and so does the key the provider issued for it");
}

fn list_failure() -> hangar_demo::Fault {
    hangar_demo::Fault::status(500, r#"{"error": {"detail": "boom"}}"#).on("workspaces")
}

#[tokio::test]
async fn a_listed_workspace_keeps_its_alias_and_other_accounts_keep_theirs() {
    let e = env().await;
    let alias = e.open_vscode(&e.running).await;
    let listing = e.hangar.list(None).await.unwrap();
    assert!(listing.failures.is_empty());
    assert!(e.host_block(&alias).exists() && e.key_file(&alias).exists());
}

#[tokio::test]
async fn removing_the_account_removes_its_aliases_and_keys() {
    let e = env().await;
    let alias = e.open_vscode(&e.running).await;
    e.hangar.remove_account(ACCOUNT).await.unwrap();
    assert!(!e.host_block(&alias).exists() && !e.key_file(&alias).exists());
    assert!(e.ssh().is_included().unwrap(), "the include line stays");
}

#[tokio::test]
async fn signing_out_removes_the_accounts_aliases_and_keys() {
    let e = env().await;
    let alias = e.open_vscode(&e.running).await;
    e.hangar.sign_out(ACCOUNT).await.unwrap();
    assert!(!e.host_block(&alias).exists() && !e.key_file(&alias).exists());
}

/// A stand-in for `hangarctl` that records the arguments it was started with, one per line.
fn recording_program(dir: &std::path::Path) -> PathBuf {
    let program = dir.join("hangarctl");
    std::fs::write(&program, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > \"$0.argv\"\nexit 1\n")
        .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    program
}

/// Runs the real `ssh` against Hangar's managed config with `shell` as the user's shell
/// and returns the argv its ProxyCommand started the program with.
fn proxy_argv(
    ssh: &ManagedSsh,
    home: &std::path::Path,
    alias: &str,
    program: &std::path::Path,
    shell: &str,
) -> Vec<String> {
    let record = PathBuf::from(format!("{}.argv", program.display()));
    let _ = std::fs::remove_file(&record);
    let mut child = std::process::Command::new("ssh")
        .arg("-F")
        .arg(ssh.managed_config())
        .args(["-o", "BatchMode=yes", "-o", "ConnectTimeout=20", alias, "true"])
        .env("HOME", home)
        .env("SHELL", shell)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("ssh runs (tests/setup.sh installs openssh-client)");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("ssh did not finish");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    let argv = std::fs::read_to_string(&record)
        .unwrap_or_else(|_| panic!("ssh ({shell}) never started the ProxyCommand: {stderr}"));
    argv.lines().map(str::to_string).collect()
}

fn shells() -> Vec<&'static str> {
    ["/bin/sh", "/bin/bash", "/usr/bin/zsh", "/usr/bin/fish"]
        .into_iter()
        .filter(|s| std::path::Path::new(s).exists())
        .collect()
}

#[tokio::test]
async fn a_hostile_account_name_reaches_the_tunnel_as_one_argument() {
    let tools = tempfile::tempdir().unwrap();
    let program = recording_program(tools.path());
    // Account names hold no spaces, slashes or backslashes; everything else a shell or ssh
    // reads specially, they may.
    let name = r#"-it's"a"%h%%$(id)`id`;x#y"#;
    let e = env_with(name, program.clone()).await;
    e.consent(SshIncludeConsent::Allowed);
    let link = e.hangar.open(name, &e.running, LinkKind::Vscode).await.unwrap();
    let alias = link.ssh_alias.unwrap();
    let config_dir = e.home.path().join("config");
    for shell in shells() {
        let argv = proxy_argv(&e.ssh(), e.home.path(), &alias, &program, shell);
        assert_eq!(
            argv,
            vec!["--config-dir", config_dir.to_str().unwrap(), "tunnel", "--", name, e.running.as_str()],
            "as run by ssh through {shell}"
        );
    }
}

#[test]
fn hostile_ids_and_paths_reach_the_tunnel_unchanged() {
    let home = tempfile::tempdir().unwrap();
    let tools = home.path().join(r#"tools 'with' "quotes" \ %p"#);
    std::fs::create_dir_all(&tools).unwrap();
    let program = recording_program(&tools);
    let ssh = ManagedSsh::at(home.path().join(".ssh"));
    let host = hangar_core::ssh::SshHost {
        host_name: "127.0.0.1".into(),
        port: 22,
        user: "ray".into(),
        private_key: None,
        tunnel: true,
        ephemeral_host_key: true,
    };
    let cases = [
        ("plain", "expwrk_1"),
        ("trailing\\", "id\\"),
        ("a'b", "'"),
        ("%h%%%r", "%"),
        ("$(touch pwned) `touch pwned` ; | & > <", "a\"b\"c"),
        ("x # y", " spaced  id "),
        ("", "-o"),
    ];
    for (i, (account, id)) in cases.into_iter().enumerate() {
        let tunnel = hangar_core::ssh::TunnelCommand {
            program: program.clone(),
            config_dir: home.path().join("config \\ 'x' %d"),
            account: account.into(),
            workspace_id: id.into(),
        };
        let owner =
            hangar_core::ssh::Owner { account: account.into(), workspace_id: id.into(), workspace_name: "w".into() };
        let alias = format!("hangar-case-{i}");
        ssh.write_host(&alias, &host, Some(&tunnel), &owner).unwrap();
        for shell in shells() {
            let argv = proxy_argv(&ssh, home.path(), &alias, &program, shell);
            assert_eq!(
                argv,
                vec!["--config-dir", tunnel.config_dir.to_str().unwrap(), "tunnel", "--", account, id],
                "account {account:?}, id {id:?}, through {shell}"
            );
        }
    }
    assert!(!home.path().join("pwned").exists() && !std::path::Path::new("pwned").exists());
}
