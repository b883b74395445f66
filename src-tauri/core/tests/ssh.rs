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
    let demo = anyscale::start(Timing::quick()).await.expect("demo cloud starts");
    let home = tempfile::tempdir().unwrap();
    let paths = Paths { config: home.path().join("config"), cache: home.path().join("cache") };
    let setup = SshSetup {
        managed: ManagedSsh::at(home.path().join(".ssh")),
        tunnel_program: PathBuf::from("/opt/hangar/hangarctl"),
    };
    let http = HttpSettings { connect_timeout: Duration::from_secs(2), timeout: Duration::from_secs(5), retries: 0 };
    let hangar = Hangar::new(Storage::on_disk(paths), Arc::new(MemoryStore::default()), http).with_ssh(setup);
    let account = Account {
        name: ACCOUNT.into(),
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
            "ProxyCommand /opt/hangar/hangarctl --config-dir {} tunnel {ACCOUNT} {}",
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
