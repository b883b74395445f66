//! Hangar against the Anyscale demo cloud, over real loopback sockets.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use hangar_core::http::HttpSettings;
use hangar_core::secrets::{Credentials, MemoryStore, SecretStore};
use hangar_core::storage::Storage;
use hangar_core::{Account, Action, Error, Hangar, LinkKind, ProviderId, WorkspaceState};
use hangar_demo::anyscale::{self, AnyscaleDemo};
use hangar_demo::{Fault, Timing};

const ACCOUNT: &str = "acme";

type ErrorCheck = fn(&Error) -> bool;

struct Env {
    hangar: Hangar,
    demo: AnyscaleDemo,
    secrets: Arc<MemoryStore>,
}

fn settings() -> HttpSettings {
    HttpSettings { connect_timeout: Duration::from_secs(2), timeout: Duration::from_secs(5), retries: 0 }
}

fn account(demo: &AnyscaleDemo) -> Account {
    Account {
        name: ACCOUNT.into(),
        provider: ProviderId::Anyscale,
        base_url: Some(demo.server.base_url.clone()),
        options: BTreeMap::new(),
    }
}

async fn env() -> Env {
    let demo = anyscale::start(Timing::quick()).await.expect("demo cloud starts");
    let secrets = Arc::new(MemoryStore::default());
    let hangar = Hangar::new(Storage::in_memory(), secrets.clone(), settings());
    hangar
        .add_account(account(&demo), Credentials::single("token", demo.token()), true)
        .await
        .expect("account is added");
    Env { hangar, demo, secrets }
}

fn input(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn mutations(demo: &AnyscaleDemo) -> Vec<String> {
    demo.server.requests().into_iter().filter(|r| !r.starts_with("GET ")).collect()
}

async fn wait_for(e: &Env, id: &str, state: WorkspaceState) -> hangar_core::Workspace {
    e.hangar
        .wait(ACCOUNT, id, |s| s == state, Duration::from_secs(20), Duration::from_millis(100))
        .await
        .unwrap_or_else(|err| panic!("workspace {id} did not become {state}: {err}"))
}

#[tokio::test]
async fn bad_tokens_are_refused_and_nothing_is_stored() {
    let demo = anyscale::start(Timing::quick()).await.unwrap();
    let secrets = Arc::new(MemoryStore::default());
    let hangar = Hangar::new(Storage::in_memory(), secrets.clone(), settings());

    let malformed = hangar.add_account(account(&demo), Credentials::single("token", "not-a-token"), true).await;
    let err = malformed.unwrap_err();
    assert_eq!(err.field(), Some("token"), "{err}");
    assert!(!err.to_string().contains("not-a-token"), "{err}");
    assert!(demo.server.requests().is_empty(), "the sanity check runs before any request");

    let wrong = "sss_wrongwrongwrong";
    let err = hangar.add_account(account(&demo), Credentials::single("token", wrong), true).await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)), "{err:?}");
    assert!(err.to_string().contains("invalid or has expired"), "{err}");
    assert!(!err.to_string().contains(wrong), "{err}");
    assert_eq!(demo.server.requests(), vec!["GET /api/v2/userinfo/".to_string()]);
    assert!(hangar.accounts().unwrap().is_empty());
    assert!(secrets.load(ACCOUNT).unwrap().is_none());
}

#[tokio::test]
async fn the_sdk_cookie_and_a_bearer_header_both_authenticate() {
    let demo = anyscale::start(Timing::quick()).await.unwrap();
    let client = reqwest::Client::new();
    let url = format!("{}/api/v2/userinfo/", demo.server.base_url);
    let cookie =
        client.get(&url).header("cookie", format!("other=1; cli_token={}", demo.token())).send().await.unwrap();
    assert_eq!(cookie.status(), 200);
    let bearer = client.get(&url).bearer_auth(demo.token()).send().await.unwrap();
    assert_eq!(bearer.status(), 200);
    let none = client.get(&url).send().await.unwrap();
    assert_eq!(none.status(), 401);
}

#[tokio::test]
async fn list_follows_paging_tokens_and_caches_compute_configs() {
    let e = env().await;
    e.demo.seed(120);
    let listing = e.hangar.list(Some(ACCOUNT)).await.unwrap();
    assert!(listing.failures.is_empty(), "{:?}", listing.failures);
    assert!(e.secrets.load(ACCOUNT).unwrap().is_some(), "the verified token is in the keyring");
    assert_eq!(listing.workspaces.len(), 123);
    let mut ids: Vec<&str> = listing.workspaces.iter().map(|w| w.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 123, "no workspace twice");
    let pages: Vec<String> = e
        .demo
        .server
        .requests()
        .into_iter()
        .filter(|r| r.starts_with("GET /api/v2/experimental_workspaces/"))
        .collect();
    assert_eq!(
        pages,
        vec![
            "GET /api/v2/experimental_workspaces/?count=50",
            "GET /api/v2/experimental_workspaces/?count=50&paging_token=pt-50",
            "GET /api/v2/experimental_workspaces/?count=50&paging_token=pt-100",
        ]
    );
    let gpu = listing.workspaces.iter().find(|w| w.name == "llm-finetune").unwrap();
    assert_eq!(gpu.hardware.gpu.as_ref().map(|g| (g.kind.as_str(), g.count)), Some(("A10G", 8)));
    assert_eq!(gpu.hardware.cpus, Some(8.0));
    assert_eq!(gpu.details["project"], "ml-research");
    assert_eq!(gpu.details["cloud"], "demo-aws");
    assert_eq!(gpu.state, WorkspaceState::Running);

    let lookups = |demo: &AnyscaleDemo| {
        demo.server.requests().iter().filter(|r| r.contains("compute_templates/") || r.contains("/projects/")).count()
    };
    let before = lookups(&e.demo);
    assert!(before <= 4, "one lookup per compute config and project, not per workspace ({before})");
    e.hangar.list(Some(ACCOUNT)).await.unwrap();
    assert_eq!(lookups(&e.demo), before, "a second refresh uses the cache");
}

#[tokio::test]
async fn a_paging_token_that_loops_is_a_bad_response() {
    let e = env().await;
    e.demo.seed(60);
    let looping = r#"{"results": [], "metadata": {"total": 9, "next_paging_token": "pt-50"}}"#;
    e.demo.server.inject(Fault::status(200, looping).on("/api/v2/experimental_workspaces/"));
    e.demo.server.inject(Fault::status(200, looping).on("/api/v2/experimental_workspaces/"));
    let listing = e.hangar.list(Some(ACCOUNT)).await.unwrap();
    let (_, err) = &listing.failures[0];
    assert!(matches!(err, Error::BadResponse { .. }), "{err:?}");
    assert!(err.to_string().contains("paging token"), "{err}");
}

#[tokio::test]
async fn the_create_form_has_live_choices_that_narrow_by_cloud() {
    let e = env().await;
    let form = e.hangar.create_form(ACCOUNT, &BTreeMap::new()).await.unwrap();
    let choices = |form: &hangar_core::form::Form, key: &str| -> Vec<(String, Option<String>)> {
        form.field(key)
            .unwrap_or_else(|| panic!("field {key}"))
            .choices
            .clone()
            .unwrap_or_default()
            .into_iter()
            .map(|c| (c.value, c.detail))
            .collect()
    };
    let clouds = choices(&form, "cloud");
    assert_eq!(clouds.len(), 2);
    assert_eq!(form.field("cloud").unwrap().default.as_deref(), Some(clouds[0].0.as_str()));
    let workers = choices(&form, "worker_instance_type");
    assert!(workers.contains(&("g5.12xlarge".into(), Some("48 CPU · 192 GiB · 4× A10G".into()))), "{workers:?}");
    let computes = choices(&form, "compute_config");
    assert_eq!(computes[0].0, "inline");
    assert!(computes.iter().any(|(_, d)| d.as_deref() == Some("head m5.2xlarge · workers 0–2 × g5.12xlarge")));
    assert!(choices(&form, "build")[0].0.starts_with("bld_"));
    assert_eq!(choices(&form, "project").len(), 2);
    assert_eq!(form.field("idle_minutes").unwrap().default.as_deref(), Some("120"));
    assert_eq!(form.field("max_workers").unwrap().max, Some(100.0));

    let gcp = clouds[1].0.clone();
    let narrowed = e.hangar.create_form(ACCOUNT, &input(&[("cloud", &gcp)])).await.unwrap();
    assert_eq!(narrowed.field("cloud").unwrap().default.as_deref(), Some(gcp.as_str()));
    assert_eq!(choices(&narrowed, "project").len(), 1);
    let head = choices(&narrowed, "head_instance_type");
    assert!(head.iter().any(|(v, _)| v == "g2-standard-8") && !head.iter().any(|(v, _)| v == "g5.12xlarge"));
    assert!(e.demo.server.requests().iter().any(|r| r.starts_with("POST /ext/v0/cluster_computes/search")));
}

#[tokio::test]
async fn bad_names_and_worker_counts_are_refused_before_anything_is_created() {
    let e = env().await;
    let err = e.hangar.create(ACCOUNT, "bad name!", &BTreeMap::new()).await.unwrap_err();
    assert_eq!(err.field(), Some("name"), "{err}");
    assert!(mutations(&e.demo).is_empty(), "a bad name is refused before any request, even the form's");
    let err = e
        .hangar
        .create(ACCOUNT, "ok-name", &input(&[("worker_instance_type", "g5.12xlarge"), ("max_workers", "9999")]))
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("max_workers"), "{err}");
    let err = e.hangar.create(ACCOUNT, "ok-name", &input(&[("max_workers", "2")])).await.unwrap_err();
    assert_eq!(err.field(), Some("worker_instance_type"), "{err}");
    // Only the form's reads happened: no compute config, build or workspace was posted.
    assert_eq!(
        mutations(&e.demo),
        vec!["POST /ext/v0/cluster_computes/search"; 2],
        "nothing but the form's search before the refusals"
    );
}

#[tokio::test]
async fn a_workspace_goes_through_its_whole_life() {
    let e = env().await;
    let created = e
        .hangar
        .create(
            ACCOUNT,
            "hangar-life",
            &input(&[("worker_instance_type", "g5.12xlarge"), ("max_workers", "2"), ("idle_minutes", "60")]),
        )
        .await
        .unwrap();
    assert_eq!(created.state, WorkspaceState::Starting);
    assert_eq!(created.hardware.gpu.as_ref().map(|g| g.count), Some(8));
    let posts = mutations(&e.demo);
    assert!(posts.contains(&"POST /api/v2/compute_templates/".to_string()), "{posts:?}");
    assert!(posts.contains(&"POST /api/v2/experimental_workspaces/".to_string()), "{posts:?}");
    let id = created.id.clone();

    let running = wait_for(&e, &id, WorkspaceState::Running).await;
    assert_eq!(running.details["idle timeout"], "60 min");
    let labels: Vec<&str> = running.links.iter().filter_map(|l| l.label.as_deref()).collect();
    assert!(labels.contains(&"Jupyter") && labels.contains(&"Ray dashboard"), "{labels:?}");
    let vscode = e.hangar.link(ACCOUNT, &id, LinkKind::Vscode).await.unwrap();
    let alias = hangar_core::ssh::alias(ACCOUNT, "hangar-life", &id);
    assert_eq!(vscode.url, format!("vscode://vscode-remote/ssh-remote+{alias}/home/ray/default"));
    let console = e.hangar.link(ACCOUNT, &id, LinkKind::Browser).await.unwrap();
    assert_eq!(console.url, format!("{}/workspaces/{id}", e.demo.server.base_url));
    let page = reqwest::get(&console.url).await.unwrap();
    assert_eq!(page.status(), 200);

    let err = e.hangar.update(ACCOUNT, &id, &input(&[("name", "renamed")])).await.unwrap_err();
    assert!(matches!(err, Error::Conflict(_)) && err.to_string().contains("terminated"), "{err:?}");
    let err = e.hangar.act(ACCOUNT, &id, Action::Start).await.unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");

    e.hangar.act(ACCOUNT, &id, Action::Stop).await.unwrap();
    let stopped = wait_for(&e, &id, WorkspaceState::Stopped).await;
    assert_eq!(stopped.raw_state, "Terminated");
    assert!(stopped.links.iter().all(|l| l.kind == LinkKind::Browser), "no IDE links unless running");
    assert!(e.hangar.link(ACCOUNT, &id, LinkKind::Vscode).await.is_err());

    e.hangar.update(ACCOUNT, &id, &input(&[("name", "hangar-life-2"), ("idle_minutes", "30")])).await.unwrap();
    let renamed = e.hangar.get(ACCOUNT, &id).await.unwrap();
    assert_eq!(renamed.name, "hangar-life-2");
    assert_eq!(renamed.details["idle timeout"], "30 min");
    let reqs = e.demo.server.requests();
    assert!(reqs.iter().any(|r| r.starts_with("PATCH /api/v2/experimental_workspaces/")));
    assert!(reqs.iter().any(|r| r.contains("/cluster_config_with_session_idle_timeout?idle_timeout=30")));

    e.hangar.act(ACCOUNT, &id, Action::Start).await.unwrap();
    wait_for(&e, &id, WorkspaceState::Running).await;
    e.hangar.act(ACCOUNT, &id, Action::Delete).await.unwrap();
    let gone = wait_for(&e, &id, WorkspaceState::Deleted).await;
    assert_eq!(gone.state, WorkspaceState::Deleted);
    assert!(e.hangar.get(ACCOUNT, &id).await.is_err());
}

#[tokio::test]
async fn create_without_starting_and_with_an_image_uri() {
    let e = env().await;
    let forms = e.hangar.create_form(ACCOUNT, &BTreeMap::new()).await.unwrap();
    let registered = forms.field("compute_config").unwrap().choices.clone().unwrap()[1].value.clone();
    let w = e
        .hangar
        .create(
            ACCOUNT,
            "from-image",
            &input(&[
                ("compute_config", &registered),
                ("build", "image_uri"),
                ("image_uri", "docker.io/me/img:1"),
                ("ray_version", "2.40.0"),
                ("start_now", "false"),
            ]),
        )
        .await
        .unwrap();
    assert_eq!(w.state, WorkspaceState::Stopped);
    assert!(w.actions.contains(&Action::Start));
    let posts = mutations(&e.demo);
    assert!(posts.contains(&"POST /api/v2/builds/get_or_create_build_from_image_uri".to_string()), "{posts:?}");
    assert!(!posts.contains(&"POST /api/v2/compute_templates/".to_string()), "a registered config is reused");
    let err = e.hangar.create(ACCOUNT, "from-image", &input(&[("start_now", "false")])).await.unwrap_err();
    assert!(matches!(err, Error::Conflict(_)) && err.to_string().contains("already exists"), "{err:?}");
}

#[tokio::test]
async fn vendor_errors_reach_the_user_without_the_token() {
    let e = env().await;
    let listing = e.hangar.list(Some(ACCOUNT)).await.unwrap();
    let id = listing.workspaces[0].id.clone();
    let token = e.demo.token().to_string();
    let path = "/api/v2/experimental_workspaces/";
    let detail = |text: &str| format!(r#"{{"error": {{"detail": "{text} (token {token})"}}}}"#);
    let cases: Vec<(Fault, ErrorCheck, &str)> = vec![
        (
            Fault::status(400, &detail("Bad things asked")),
            |e| matches!(e, Error::InvalidInput { .. }),
            "Bad things asked",
        ),
        (Fault::status(401, &detail("Token expired")), |e| matches!(e, Error::Unauthorized(_)), "Token expired"),
        (Fault::status(403, &detail("Not in this org")), |e| matches!(e, Error::Unauthorized(_)), "Not in this org"),
        (Fault::status(404, &detail("Workspace gone")), |e| matches!(e, Error::NotFound(_)), "Workspace gone"),
        (Fault::status(409, &detail("Name taken")), |e| matches!(e, Error::Conflict(_)), "Name taken"),
        (
            Fault::status(
                422,
                r#"{"error": {"message": "Invalid request", "detail": [{"loc": ["body", "idle_timeout_minutes"], "msg": "too big", "type": "value_error"}]}}"#,
            ),
            |e| e.field() == Some("idle_minutes"),
            "idle_timeout_minutes: too big",
        ),
        (
            Fault { retry_after: Some(7), ..Fault::status(429, &detail("Slow down")) },
            |e| matches!(e, Error::RateLimited { retry_after_secs: Some(7), .. }),
            "Slow down",
        ),
        (Fault::status(500, &detail("Internal oops")), |e| matches!(e, Error::Unavailable(_)), "Internal oops"),
        (Fault::html(502), |e| matches!(e, Error::Unavailable(_)), "Bad Gateway"),
    ];
    for (fault, kind, text) in cases {
        let status = fault.status;
        e.demo.server.inject(fault.on(path));
        let err = e.hangar.get(ACCOUNT, &id).await.expect_err("the fault answers");
        assert!(kind(&err), "{status}: {err:?}");
        let msg = err.to_string();
        assert!(msg.contains(text), "{status}: {msg}");
        assert!(!msg.contains(&token), "{status} leaks the token: {msg}");
        assert!(!format!("{err:?}").contains(&token), "{status} leaks the token in Debug");
    }
}
