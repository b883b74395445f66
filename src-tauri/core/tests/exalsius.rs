//! Hangar against the exalsius demo cloud and its Auth0 stand-in, over real loopback sockets.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use hangar_core::http::HttpSettings;
use hangar_core::providers::exalsius::auth::{self, AuthSettings, ACCESS_TOKEN, EXPIRES_AT, REFRESH_TOKEN};
use hangar_core::secrets::{Credentials, MemoryStore, SecretStore};
use hangar_core::storage::Storage;
use hangar_core::{Account, Action, Error, Hangar, LinkKind, ProviderId, WorkspaceState};
use hangar_demo::exalsius::{self, ExalsiusDemo};
use hangar_demo::{Fault, Timing};

use common::{redirect, reply, Answer, Canned};

const ACCOUNT: &str = "lab";

struct Env {
    hangar: Hangar,
    demo: ExalsiusDemo,
    secrets: Arc<MemoryStore>,
}

fn settings() -> HttpSettings {
    HttpSettings { connect_timeout: Duration::from_secs(2), timeout: Duration::from_secs(5), retries: 0 }
}

fn account(demo: &ExalsiusDemo, base_suffix: &str) -> Account {
    Account {
        name: ACCOUNT.into(),
        provider: ProviderId::Exalsius,
        base_url: Some(format!("{}{base_suffix}", demo.server.base_url)),
        options: BTreeMap::from([("auth_url".to_string(), demo.auth_url())]),
    }
}

fn auth_settings(demo: &ExalsiusDemo) -> AuthSettings {
    AuthSettings::from_options(&account(demo, "").options).unwrap()
}

fn demo_credentials(demo: &ExalsiusDemo) -> Credentials {
    let (access, refresh) = demo.issue_tokens();
    let mut c = Credentials::single(ACCESS_TOKEN, access);
    c.set(REFRESH_TOKEN, refresh);
    c
}

async fn env() -> Env {
    let demo = exalsius::start(Timing::quick()).await.expect("demo cloud starts");
    let secrets = Arc::new(MemoryStore::default());
    let hangar = Hangar::new(Storage::in_memory(), secrets.clone(), settings());
    hangar.add_account(account(&demo, ""), demo_credentials(&demo), true).await.expect("account is added");
    Env { hangar, demo, secrets }
}

fn input(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn requests_since(demo: &ExalsiusDemo, from: usize) -> Vec<String> {
    demo.server.requests().into_iter().skip(from).collect()
}

async fn wait_for(e: &Env, id: &str, state: WorkspaceState) -> hangar_core::Workspace {
    e.hangar
        .wait(ACCOUNT, id, |s| s == state, Duration::from_secs(20), Duration::from_millis(100))
        .await
        .unwrap_or_else(|err| panic!("workspace {id} did not become {state}: {err}"))
}

/// What a browser does with the authorize URL: follow the redirect to the loopback callback.
fn browser(tamper_state: bool) -> impl Fn(&str) -> hangar_core::Result<()> {
    move |url: &str| {
        let mut url = url.to_string();
        if tamper_state {
            url = url.replace("&state=", "&state=forged");
        }
        tokio::spawn(async move {
            let _ = reqwest::get(url).await;
        });
        Ok(())
    }
}

#[tokio::test]
async fn pkce_sign_in_against_the_stand_in_gives_working_tokens() {
    let demo = exalsius::start(Timing::quick()).await.unwrap();
    let creds = auth::sign_in_pkce(&auth_settings(&demo), browser(false)).await.expect("signed in");
    let (access, refresh) = (creds.get(ACCESS_TOKEN).unwrap().to_string(), creds.get(REFRESH_TOKEN).unwrap());
    assert_eq!(access.split('.').count(), 3, "a JWT-shaped access token");
    let exp: i64 = creds.get(EXPIRES_AT).unwrap().parse().unwrap();
    assert!(exp > chrono::Utc::now().timestamp() + 500, "expiry read from the token's exp claim");
    assert!(demo.refresh_token_valid(refresh));
    let reqs = demo.server.requests();
    let authorize = reqs.iter().find(|r| r.starts_with("GET /authorize?")).expect("the browser went to /authorize");
    assert!(
        authorize.contains("code_challenge_method=S256")
            && authorize.contains("redirect_uri=http%3A%2F%2F127.0.0.1%3A")
    );
    assert!(reqs.contains(&"POST /oauth/token".to_string()));

    let hangar = Hangar::new(Storage::in_memory(), Arc::new(MemoryStore::default()), settings());
    hangar.add_account(account(&demo, ""), creds, true).await.expect("the signed-in tokens work");
    assert_eq!(hangar.list(Some(ACCOUNT)).await.unwrap().workspaces.len(), 3);
}

#[tokio::test]
async fn a_forged_state_alone_never_signs_in_and_the_sign_in_waits_out_its_time() {
    let demo = exalsius::start(Timing::quick()).await.unwrap();
    let settings = AuthSettings { browser_timeout: Duration::from_secs(3), ..auth_settings(&demo) };
    let err = auth::sign_in_pkce(&settings, browser(true)).await.unwrap_err();
    assert!(matches!(err, Error::Unavailable(_)) && err.to_string().contains("did not finish"), "{err:?}");
    assert!(demo.server.requests().iter().any(|r| r.starts_with("GET /authorize")), "the browser did answer");
    assert!(!demo.server.requests().iter().any(|r| r.starts_with("POST /oauth/token")), "no code exchange");
}

/// Any web page the user has open can send requests to the loopback callback; only the
/// answer carrying this sign-in's `state` may end it.
#[tokio::test]
async fn callbacks_without_this_sign_ins_state_are_answered_and_the_real_one_still_signs_in() {
    let demo = exalsius::start(Timing::quick()).await.unwrap();
    let answered = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = answered.clone();
    let browser = move |url: &str| -> hangar_core::Result<()> {
        let url = url.to_string();
        let callback = url::Url::parse(&url)
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "redirect_uri")
            .map(|(_, v)| v.into_owned())
            .unwrap();
        let seen = seen.clone();
        tokio::spawn(async move {
            for query in [
                "state=forged&code=stolen",
                "code=stolen",
                "error=access_denied&error_description=forged",
                "error=access_denied&state=forged",
                "",
            ] {
                let status = reqwest::get(format!("{callback}?{query}")).await.map(|r| r.status().as_u16());
                seen.lock().unwrap().push(status.ok());
            }
            let _ = reqwest::get(url).await;
        });
        Ok(())
    };
    let creds = auth::sign_in_pkce(&auth_settings(&demo), browser).await.expect("the real answer signs in");
    assert!(creds.get(ACCESS_TOKEN).is_some());
    assert_eq!(*answered.lock().unwrap(), vec![Some(400); 5], "every stray request got an answer");
}

#[tokio::test]
async fn device_sign_in_keeps_polling_while_authorization_is_pending() {
    let demo = exalsius::start(Timing::quick()).await.unwrap();
    demo.set_device_interval(1);
    let base = demo.server.base_url.clone();
    let shown = std::sync::Mutex::new(None);
    let creds = auth::sign_in_device(&auth_settings(&demo), |code| {
        assert!(code.verification_uri.starts_with(&base), "{code:?}");
        *shown.lock().unwrap() = Some(code.user_code.clone());
        let url = code.verification_uri_complete.clone().unwrap();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(1500)).await;
            let _ = reqwest::get(url).await;
        });
    })
    .await
    .expect("device sign-in finishes");
    assert!(creds.get(ACCESS_TOKEN).is_some() && creds.get(REFRESH_TOKEN).is_some());
    assert!(shown.lock().unwrap().is_some());
    let polls = demo.server.requests().iter().filter(|r| *r == "POST /oauth/token").count();
    assert!(polls >= 2, "one authorization_pending answer, then tokens ({polls} polls)");
}

#[tokio::test]
async fn a_denied_device_code_stops_polling_with_a_clear_error() {
    let demo = exalsius::start(Timing::quick()).await.unwrap();
    demo.set_device_interval(1);
    let code = auth::request_device_code(&auth_settings(&demo)).await.unwrap();
    assert!(demo.confirm_device(&code.user_code, false));
    let err = auth::poll_device(&auth_settings(&demo), &code).await.unwrap_err();
    assert!(err.to_string().contains("denied"), "{err}");
}

#[tokio::test]
async fn an_expired_access_token_is_renewed_once_stored_and_the_call_retried() {
    let e = env().await;
    e.hangar.list(Some(ACCOUNT)).await.unwrap();
    let before = e.secrets.load(ACCOUNT).unwrap().unwrap();
    e.demo.expire_access_tokens();
    let from = e.demo.server.requests().len();
    let listing = e.hangar.list(Some(ACCOUNT)).await.unwrap();
    assert!(listing.failures.is_empty(), "{:?}", listing.failures);
    assert_eq!(listing.workspaces.len(), 3);
    assert_eq!(requests_since(&e.demo, from), vec!["GET /workspaces", "POST /oauth/token", "GET /workspaces"]);
    let after = e.secrets.load(ACCOUNT).unwrap().unwrap();
    assert_ne!(after.get(ACCESS_TOKEN), before.get(ACCESS_TOKEN), "the new access token is in the keyring");
    assert_ne!(after.get(REFRESH_TOKEN), before.get(REFRESH_TOKEN), "the rotated refresh token is in the keyring");
    assert!(!e.demo.refresh_token_valid(before.get(REFRESH_TOKEN).unwrap()));
    let from = e.demo.server.requests().len();
    e.hangar.list(Some(ACCOUNT)).await.unwrap();
    assert_eq!(requests_since(&e.demo, from), vec!["GET /workspaces"], "the renewed token is used from then on");
}

#[tokio::test]
async fn an_account_added_with_an_expired_access_token_keeps_the_rotated_refresh_token() {
    let demo = exalsius::start(Timing::quick()).await.unwrap();
    let secrets = Arc::new(MemoryStore::default());
    let hangar = Hangar::new(Storage::in_memory(), secrets.clone(), settings());
    let pasted = demo_credentials(&demo);
    demo.expire_access_tokens();
    hangar.add_account(account(&demo, ""), pasted.clone(), true).await.unwrap();
    let stored = secrets.load(ACCOUNT).unwrap().unwrap();
    assert!(!demo.refresh_token_valid(pasted.get(REFRESH_TOKEN).unwrap()), "verify rotated the refresh token");
    assert!(demo.refresh_token_valid(stored.get(REFRESH_TOKEN).unwrap()), "the keyring holds the live one");
    assert_eq!(hangar.list(Some(ACCOUNT)).await.unwrap().failures.len(), 0);
}

#[tokio::test]
async fn an_orphaned_keyring_entry_never_passes_for_a_new_accounts_credentials() {
    let demo = exalsius::start(Timing::quick()).await.unwrap();
    let secrets = Arc::new(MemoryStore::default());
    let orphan = demo_credentials(&demo);
    secrets.save(ACCOUNT, &orphan).unwrap();
    let hangar = Hangar::new(Storage::in_memory(), secrets.clone(), settings());
    let fresh = demo_credentials(&demo);
    hangar.add_account(account(&demo, ""), fresh.clone(), true).await.unwrap();
    assert_eq!(secrets.load(ACCOUNT).unwrap().unwrap().get(REFRESH_TOKEN), fresh.get(REFRESH_TOKEN));
}

#[tokio::test]
async fn concurrent_calls_renew_only_once() {
    let e = env().await;
    e.hangar.list(Some(ACCOUNT)).await.unwrap();
    e.demo.expire_access_tokens();
    let from = e.demo.server.requests().len();
    let ws = e.hangar.list(Some(ACCOUNT)).await.unwrap().workspaces;
    let ids: Vec<String> = ws.iter().map(|w| w.id.clone()).collect();
    assert!(ids.len() == 3);
    e.demo.expire_access_tokens();
    let gets = futures::future::join_all(ids.iter().map(|id| e.hangar.get(ACCOUNT, id))).await;
    assert!(gets.iter().all(Result::is_ok), "{gets:?}");
    let renewals = requests_since(&e.demo, from).iter().filter(|r| *r == "POST /oauth/token").count();
    assert_eq!(renewals, 2, "one renewal per expiry, not one per call");
}

#[tokio::test]
async fn a_refused_renewal_signs_the_account_out_with_one_error() {
    let e = env().await;
    e.hangar.list(Some(ACCOUNT)).await.unwrap();
    let stored = e.secrets.load(ACCOUNT).unwrap().unwrap();
    e.demo.expire_access_tokens();
    e.demo.revoke_refresh_tokens();
    let listing = e.hangar.list(Some(ACCOUNT)).await.unwrap();
    let (name, err) = &listing.failures[0];
    assert_eq!(name, ACCOUNT);
    assert!(matches!(err, Error::Unauthorized(_)), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("signed out") && msg.contains("Sign in again"), "{msg}");
    for secret in stored.values() {
        assert!(!msg.contains(secret), "no token in the message");
    }
    let from = e.demo.server.requests().len();
    let again = e.hangar.get(ACCOUNT, "5b0f3c1e-2a47-4d8e-9c61-7f2e4a9b1d03").await.unwrap_err();
    assert_eq!(again.to_string(), msg);
    assert!(requests_since(&e.demo, from).is_empty(), "no stream of 401s once signed out");
}

#[tokio::test]
async fn a_pasted_access_token_without_refresh_token_says_to_sign_in() {
    let demo = exalsius::start(Timing::quick()).await.unwrap();
    let hangar = Hangar::new(Storage::in_memory(), Arc::new(MemoryStore::default()), settings());
    let (access, _) = demo.issue_tokens();
    hangar.add_account(account(&demo, ""), Credentials::single(ACCESS_TOKEN, access.clone()), true).await.unwrap();
    demo.expire_access_tokens();
    let err = hangar.list(Some(ACCOUNT)).await.unwrap().failures.remove(0).1;
    assert!(matches!(err, Error::Unauthorized(_)) && err.to_string().contains("signed out"), "{err}");
    assert!(!err.to_string().contains(&access));
    assert!(!demo.server.requests().iter().any(|r| r.contains("/oauth/")), "nothing to renew with");
}

#[tokio::test]
async fn revoking_the_refresh_token_ends_the_session() {
    let demo = exalsius::start(Timing::quick()).await.unwrap();
    let (_, refresh) = demo.issue_tokens();
    auth::revoke(&auth_settings(&demo), &refresh).await.unwrap();
    assert!(!demo.refresh_token_valid(&refresh));
    let err = auth::refresh(&auth_settings(&demo), &refresh).await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)) && err.to_string().contains("invalid_grant"), "{err}");
}

#[tokio::test]
async fn list_takes_every_workspace_from_one_unpaged_answer_and_v1_works_too() {
    let e = env().await;
    e.demo.seed(150);
    let from = e.demo.server.requests().len();
    let listing = e.hangar.list(Some(ACCOUNT)).await.unwrap();
    assert!(listing.failures.is_empty(), "{:?}", listing.failures);
    assert_eq!(listing.workspaces.len(), 153);
    assert_eq!(requests_since(&e.demo, from).iter().filter(|r| r.starts_with("GET /workspaces")).count(), 1);
    let count = |s: WorkspaceState| listing.workspaces.iter().filter(|w| w.state == s).count();
    assert_eq!((count(WorkspaceState::Pending), count(WorkspaceState::Errored)), (37, 37));
    let jupyter = listing.workspaces.iter().find(|w| w.name == "jupyter-brave-otter").unwrap();
    assert_eq!(jupyter.state, WorkspaceState::Running);
    assert_eq!(jupyter.hardware.gpu.as_ref().map(|g| (g.kind.as_str(), g.count)), Some(("L40", 1)));
    assert_eq!((jupyter.hardware.cpus, jupyter.hardware.memory_gb), (Some(15.0), Some(60.0)));
    assert_eq!(jupyter.details["cluster"], "lab-cluster");
    let port = e.demo.server.base_url.rsplit(':').next().unwrap();
    assert_eq!(jupyter.links[0].url, format!("http://127.0.0.1:{port}/"));
    let page = reqwest::get(&jupyter.links[0].url).await.unwrap();
    assert_eq!(page.status(), 200, "the demo's NodePort page opens");

    let v1 = Hangar::new(Storage::in_memory(), Arc::new(MemoryStore::default()), settings());
    v1.add_account(account(&e.demo, "/v1"), demo_credentials(&e.demo), true).await.unwrap();
    assert_eq!(v1.list(None).await.unwrap().workspaces.len(), 153);
    assert!(e.demo.server.requests().iter().any(|r| r == "GET /v1/workspaces"));
}

#[tokio::test]
async fn the_form_offers_ready_clusters_and_limits_hardware_to_free_capacity() {
    let e = env().await;
    let form = e.hangar.create_form(ACCOUNT, &BTreeMap::new()).await.unwrap();
    let values = |key: &str| -> Vec<String> {
        form.field(key).unwrap().choices.clone().unwrap().into_iter().map(|c| c.value).collect()
    };
    let lab = e.demo.cluster_id("lab-cluster").unwrap();
    assert_eq!(values("cluster").len(), 3, "the DEPLOYING cluster is not offered");
    assert_eq!(form.field("cluster").unwrap().default.as_deref(), Some(lab.as_str()));
    assert_eq!(values("gpu_type"), vec!["L40", "A100"]);
    // gpu-node-1 has 2 L40s, one taken by the seeded Jupyter workspace.
    assert_eq!(form.field("gpu_count").unwrap().max, Some(1.0));
    assert_eq!(form.field("cpu_cores").unwrap().max, Some(17.0));
    assert!(values("template").contains(&"vscode-devcontainer-template".to_string()));
    assert!(form.field("var.notebookPassword").unwrap().required);
    assert!(e.demo.server.requests().iter().any(|r| r == "GET /clusters?cluster_status=READY"));

    let a100 = e.hangar.create_form(ACCOUNT, &input(&[("gpu_type", "A100")])).await.unwrap();
    assert_eq!(a100.field("gpu_count").unwrap().max, Some(4.0), "the stopped workspace gave its GPU back");
    let amd = e.demo.cluster_id("amd-cloud").unwrap();
    let amd_form = e.hangar.create_form(ACCOUNT, &input(&[("cluster", &amd)])).await.unwrap();
    assert_eq!(amd_form.field("gpu_count").unwrap().max, Some(8.0));
    assert!(e.demo.server.requests().iter().any(|r| r == &format!("GET /cluster/{amd}/resources")));

    let from = e.demo.server.requests().len();
    let err = e
        .hangar
        .create(ACCOUNT, "too-big", &input(&[("gpu_count", "9999"), ("var.notebookPassword", "secret-pw")]))
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("gpu_count"), "{err}");
    assert!(err.to_string().contains("maximum of 1"), "{err}");
    let err = e
        .hangar
        .create(
            ACCOUNT,
            "too-big",
            &input(&[("gpu_type", "A100"), ("gpu_count", "4"), ("cpu_cores", "65"), ("var.notebookPassword", "pw")]),
        )
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("cpu_cores"), "{err}");
    assert!(err.to_string().contains("maximum of 64"), "{err}");
    assert!(!requests_since(&e.demo, from).iter().any(|r| r.starts_with("POST")), "refused before any create");
}

#[tokio::test]
async fn a_workspace_goes_from_pending_to_running_to_stopped_and_back_then_is_deleted() {
    let e = env().await;
    let w = e
        .hangar
        .create(
            ACCOUNT,
            "notebook-1",
            &input(&[
                ("gpu_type", "A100"),
                ("gpu_count", "2"),
                ("var.notebookPassword", "s3cret-pw"),
                ("description", "tests"),
            ]),
        )
        .await
        .unwrap();
    assert_eq!(w.state, WorkspaceState::Pending);
    assert_eq!(w.actions, vec![Action::Delete]);
    assert!(w.links.is_empty());
    let body = e.demo.last_create_body().unwrap();
    assert_eq!(body["template"]["name"], "jupyter-notebook-template");
    assert_eq!(body["template"]["variables"]["notebookPassword"], "s3cret-pw");
    assert_eq!(body["template"]["variables"]["global"]["deploymentNamespace"], "default");
    assert_eq!(body["resources"]["gpu_count"], 2);
    assert_eq!(body["resources"]["gpu_type"], "A100");
    assert!(body["resources"]["cpu_cores"].is_u64(), "integers, never floats: {body}");

    let running = wait_for(&e, &w.id, WorkspaceState::Running).await;
    assert_eq!(running.actions, vec![Action::Stop, Action::Delete]);
    assert_eq!(running.links[0].label.as_deref(), Some("Jupyter Notebook UI"));
    assert!(e.hangar.link(ACCOUNT, &w.id, LinkKind::Browser).await.is_ok());

    e.hangar.act(ACCOUNT, &w.id, Action::Stop).await.unwrap();
    let stopped = wait_for(&e, &w.id, WorkspaceState::Stopped).await;
    assert!(stopped.links.is_empty(), "access is withdrawn while stopped");
    let err = e.hangar.act(ACCOUNT, &w.id, Action::Stop).await.unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");

    e.hangar.act(ACCOUNT, &w.id, Action::Start).await.unwrap();
    wait_for(&e, &w.id, WorkspaceState::Running).await;

    e.hangar.act(ACCOUNT, &w.id, Action::Delete).await.unwrap();
    let deleting = e.hangar.get(ACCOUNT, &w.id).await.unwrap();
    assert_eq!((deleting.state, deleting.raw_state.as_str()), (WorkspaceState::Deleting, "DELETED"));
    wait_for(&e, &w.id, WorkspaceState::Deleted).await;
    let gone = e.hangar.get(ACCOUNT, &w.id).await.unwrap_err();
    assert!(matches!(gone, Error::NotFound(_)) && gone.to_string().contains("Workspace Not Found"), "{gone}");
    let reqs = e.demo.server.requests();
    for want in ["POST /workspaces", "POST /workspace/", "DELETE /workspace/"] {
        assert!(reqs.iter().any(|r| r.starts_with(want)), "{want}");
    }
}

#[tokio::test]
async fn a_dev_container_offers_ssh_and_ide_links() {
    let e = env().await;
    let cpu = e.demo.cluster_id("cpu-sandbox").unwrap();
    let w = e
        .hangar
        .create(
            ACCOUNT,
            "devbox",
            &input(&[
                ("cluster", &cpu),
                ("template", "vscode-devcontainer-template"),
                ("var.sshPublicKey", "ssh-ed25519 AAAAC3 me"),
            ]),
        )
        .await
        .unwrap();
    let running = wait_for(&e, &w.id, WorkspaceState::Running).await;
    let vscode = running.links.iter().find(|l| l.kind == LinkKind::Vscode).expect("vscode link");
    let alias = hangar_core::ssh::alias(ACCOUNT, "devbox", &w.id);
    assert!(alias.starts_with(&format!("hangar-{ACCOUNT}-devbox-")), "{alias}");
    assert_eq!(vscode.url, format!("vscode://vscode-remote/ssh-remote+{alias}/workspace"));
    assert_eq!(vscode.ssh_alias.as_deref(), Some(alias.as_str()), "the alias is written when the link opens");
    assert!(running.links.iter().any(|l| l.kind == LinkKind::Cursor));
    assert!(running.links.iter().any(|l| l.kind == LinkKind::Ssh));
    let err = e
        .hangar
        .create(ACCOUNT, "devbox-2", &input(&[("cluster", &cpu), ("template", "vscode-devcontainer-template")]))
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("var.sshPassword"), "{err}");
}

#[tokio::test]
async fn server_errors_map_to_their_meaning() {
    let e = env().await;
    let jupyter = "jupyter-brave-otter";
    let id = e.hangar.list(Some(ACCOUNT)).await.unwrap().workspaces.into_iter().find(|w| w.name == jupyter).unwrap().id;
    let create = |name: &'static str| {
        let h = &e.hangar;
        async move { h.create(ACCOUNT, name, &input(&[("gpu_count", "0"), ("var.notebookPassword", "pw-123")])).await }
    };

    let err = create(jupyter).await.unwrap_err();
    assert!(matches!(err, Error::Conflict(_)) && err.to_string().contains("already exists"), "{err:?}");

    let forbidden = r#"{"detail": {"type": "https://api.exalsius.ai/errors/forbidden", "title": "Forbidden", "status": 403,
                        "detail": "You are not a member of this organization.", "instance": "/workspaces"}}"#;
    e.demo.server.inject(Fault::status(403, forbidden).on("/workspaces"));
    let err = e.hangar.list(Some(ACCOUNT)).await.unwrap().failures.remove(0).1;
    assert!(matches!(err, Error::Unauthorized(_)) && err.to_string().contains("not a member"), "{err:?}");

    let err = e.hangar.get(ACCOUNT, "00000000-0000-0000-0000-000000000000").await.unwrap_err();
    assert!(matches!(err, Error::NotFound(_)) && err.to_string().contains("was not found"), "{err:?}");

    let invalid = r#"{"detail": [{"type": "int_type", "loc": ["body", "resources", "memory_gb"], "msg": "Input should be a valid integer", "input": "pw-123"}]}"#;
    e.demo.server.inject(Fault::status(422, invalid).on("/workspaces"));
    let err = create("valid-name").await.unwrap_err();
    assert_eq!(err.field(), Some("memory_gb"), "{err:?}");
    assert!(err.to_string().contains("valid integer") && !err.to_string().contains("pw-123"), "{err}");

    let bad = r#"{"detail": {"type": "https://api.exalsius.ai/errors/bad-request", "title": "Bad Request", "status": 400,
                  "detail": "template.variables.notebookPassword must not be empty", "instance": "/workspaces"}}"#;
    e.demo.server.inject(Fault::status(400, bad).on("/workspaces"));
    let err = create("valid-name").await.unwrap_err();
    assert_eq!(err.field(), Some("var.notebookPassword"), "{err:?}");

    e.demo.server.inject(
        Fault { retry_after: Some(30), ..Fault::status(429, r#"{"detail": "Too many requests"}"#) }.on("/workspaces"),
    );
    let err = e.hangar.list(Some(ACCOUNT)).await.unwrap().failures.remove(0).1;
    assert!(matches!(err, Error::RateLimited { retry_after_secs: Some(30), .. }), "{err:?}");

    let server = r#"{"detail": {"type": "https://api.exalsius.ai/errors/server-error", "title": "Internal Server Error", "status": 500,
                     "detail": "An internal server error occurred while processing the request.", "instance": "/workspaces"}}"#;
    e.demo.server.inject(Fault::status(500, server).on("/workspace/"));
    let err = e.hangar.act(ACCOUNT, &id, Action::Stop).await.unwrap_err();
    assert!(matches!(err, Error::Unavailable(_)) && err.to_string().contains("internal server error"), "{err:?}");

    e.demo.server.inject(Fault::html(502).on("/workspaces"));
    let err = e.hangar.list(Some(ACCOUNT)).await.unwrap().failures.remove(0).1;
    assert!(matches!(err, Error::Unavailable(_)), "{err:?}");

    let training = e
        .hangar
        .create(ACCOUNT, "train-1", &input(&[("template", "diloco-training-template"), ("gpu_count", "0")]))
        .await
        .unwrap();
    wait_for(&e, &training.id, WorkspaceState::Running).await;
    let err = e.hangar.act(ACCOUNT, &training.id, Action::Stop).await.unwrap_err();
    assert!(matches!(err, Error::Conflict(_)) && err.to_string().contains("cannot be stopped"), "{err:?}");
}

#[tokio::test]
async fn the_demo_answers_strictly_and_only_with_issued_tokens() {
    let demo = exalsius::start(Timing::quick()).await.unwrap();
    let client = reqwest::Client::new();
    let url = format!("{}/workspaces", demo.server.base_url);
    assert_eq!(client.get(&url).send().await.unwrap().status(), 401);
    assert_eq!(client.get(&url).bearer_auth("eyJ.forged.token").send().await.unwrap().status(), 401);
    let token = demo.credentials()["access_token"].as_str().unwrap().to_string();
    let ok = client.get(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(ok.headers()["x-total-count"], "3");
    let bad = client
        .post(&url)
        .bearer_auth(&token)
        .json(&serde_json::json!({"name": "x", "cluster_id": "c", "template": {"name": "t", "variables": {}},
                                  "resources": {"gpu_count": 1.0}}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let missing = client.get(format!("{url}/../workspace/nope")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(missing.headers()["content-type"], "application/problem+json");
    let json_token = client
        .post(format!("{}/oauth/token", demo.server.base_url))
        .json(&serde_json::json!({"grant_type": "refresh_token"}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_token.status(), 400, "the token endpoint takes only form bodies");
}

/// A stand-in sign-in service on loopback that answers every request alike.
async fn idp(answer: Answer) -> Canned {
    Canned::always(answer).await
}

fn idp_settings(idp: &Canned) -> AuthSettings {
    let options = BTreeMap::from([("auth_url".to_string(), format!("{}/", idp.base_url))]);
    AuthSettings {
        http: HttpSettings { connect_timeout: Duration::from_secs(5), timeout: Duration::from_secs(30), retries: 0 },
        ..AuthSettings::from_options(&options).unwrap()
    }
}

#[tokio::test]
async fn token_calls_share_one_client_and_its_connections() {
    let tokens = r#"{"access_token":"at-1","refresh_token":"rt-2","expires_in":60}"#;
    let idp = idp(reply(200, tokens)).await;
    let settings = idp_settings(&idp);
    for _ in 0..3 {
        let t = auth::refresh(&settings, "rt-1").await.unwrap();
        assert_eq!(t.access_token, "at-1");
    }
    assert_eq!(idp.connections(), 1, "one kept-alive connection");
}

#[tokio::test]
async fn an_endless_answer_is_cut_off_at_the_cap() {
    let idp = idp(Answer::Endless).await;
    let err = auth::refresh(&idp_settings(&idp), "rt-1").await.unwrap_err();
    assert!(matches!(err, Error::BadResponse { .. }), "{err:?}");
    assert!(err.to_string().contains("MiB"), "the message says what was too large: {err}");
}

#[tokio::test]
async fn a_token_call_answered_with_a_redirect_goes_nowhere_else() {
    let elsewhere = idp(reply(200, r#"{"access_token":"stolen"}"#)).await;
    let location = format!("{}/oauth/token", elsewhere.base_url);
    for status in [302, 307, 308] {
        let idp = idp(redirect(status, &location)).await;
        let err = auth::refresh(&idp_settings(&idp), "rt-secret").await.unwrap_err();
        assert!(matches!(err, Error::BadResponse { .. }), "{status}: {err:?}");
        assert!(err.to_string().contains("redirect"), "{err}");
        assert!(!err.to_string().contains("rt-secret"));
        let err = auth::revoke(&idp_settings(&idp), "rt-secret").await.unwrap_err();
        assert!(matches!(err, Error::BadResponse { .. }), "{status}: {err:?}");
    }
    assert_eq!(elsewhere.connections(), 0, "the secret went nowhere else");
}

#[tokio::test]
async fn a_refusal_that_echoes_the_secret_it_was_sent_never_shows_it() {
    let body = r#"{"error":"invalid_grant","error_description":"refresh token rt-secret-123 is unknown"}"#;
    let idp = idp(reply(403, body)).await;
    let err = auth::refresh(&idp_settings(&idp), "rt-secret-123").await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)), "{err:?}");
    assert!(err.to_string().contains("invalid_grant"), "the refusal's reason still shows: {err}");
    assert!(!err.to_string().contains("rt-secret-123"), "{err}");
    let err = auth::revoke(&idp_settings(&idp), "rt-secret-123").await.unwrap_err();
    assert!(!err.to_string().contains("rt-secret-123"), "{err}");
}

#[tokio::test]
async fn moving_an_account_to_another_api_signs_it_out_and_sends_its_tokens_nowhere() {
    let e = env().await;
    let elsewhere = Canned::always(reply(200, "{}")).await;
    let options = account(&e.demo, "").options;
    e.hangar.edit_account(ACCOUNT, Some(elsewhere.base_url.clone()), options, None).await.unwrap();
    assert_eq!(e.hangar.account(ACCOUNT).unwrap().base_url.as_deref(), Some(elsewhere.base_url.as_str()));
    assert_eq!(e.hangar.credentials(ACCOUNT).await.unwrap(), Some(Credentials::default()), "signed out");
    assert!(elsewhere.requests().is_empty(), "the new address was called: {:?}", elsewhere.requests());
}
