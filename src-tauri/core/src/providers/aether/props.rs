//! Aether's decoders fed hostile answers shaped like its contract (§3 workspace, §9 errors):
//! never a panic, always a sensible workspace or form, or a typed error.

use std::sync::Arc;

use proptest::prelude::*;
use serde_json::{json, Value};

use super::form::create_form_of;
use super::mapping::to_hardware;
use super::wire::{WireHardware, WireWorkspace, WorkspaceList};
use super::*;
use crate::http::HttpSettings;
use crate::providers::prop_checks::{self, sensible_workspace, Call, OnDemo};
use crate::providers::prop_json::{check, mutated_list, mutated_text, mutated_text_one_of};
use crate::secrets::{Credentials, MemoryStore};
use std::collections::HashMap;

const CASES: u32 = 384;
const DEMO_CASES: u32 = 128;
const STATUSES: [&str; 7] = ["creating", "starting", "running", "stopping", "stopped", "error", "stop_failed"];

fn workspace(status: &str) -> Value {
    json!({"id": "b2c3d4e5-6789-01ab-cdef-234567890abc", "project_id": "a1b2c3d4-5678-90ab-cdef-1234567890ab",
      "status": status,
      "hardware": {"cpu_kind": "shared", "cpus": 2, "memory_mb": 2048, "volume_size_gb": 10, "gpu_kind": null},
      "keep_active": false, "machine_id": "d8901234abcd", "private_ip": "10.0.0.2", "git_ref": "main",
      "preview_token": "abcdefghijklmnopqrstuvwxyz012345", "error_message": null,
      "created_at": "2025-01-15T10:30:00Z", "updated_at": "2025-01-15T11:00:00Z"})
}

fn workspaces() -> Vec<Value> {
    let mut all: Vec<Value> = STATUSES.iter().map(|s| workspace(s)).collect();
    let mut gpu = workspace("running");
    gpu["hardware"]["gpu_kind"] = json!("a100-80gb");
    all.push(gpu);
    all
}

fn error_body() -> Value {
    json!({"error": "Validation failed", "errors": [{"field": "memory_mb", "message": "invalid memory"}], "code": "x"})
}

fn aether() -> Aether {
    Aether::new(ProviderContext {
        account: Account {
            name: "acme".into(),
            provider: ProviderId::Aether,
            base_url: Some(DEFAULT_BASE_URL.into()),
            options: BTreeMap::new(),
        },
        credentials: Credentials::single("token", "tok_test"),
        secrets: Arc::new(MemoryStore::default()),
        http: HttpSettings::default(),
    })
    .expect("an Aether provider")
}

/// Beyond a sensible workspace: the preview link Hangar builds stays on the gateway's domain.
fn sensible(w: &Workspace) -> Result<(), TestCaseError> {
    sensible_workspace(w, ProviderId::Aether, "acme")?;
    for l in &w.links {
        let host = url::Url::parse(&l.url).ok().and_then(|u| u.host_str().map(str::to_string)).unwrap_or_default();
        prop_assert!(host.ends_with(".preview.runaether.dev"), "a preview link off the gateway: {}", l.url);
    }
    Ok(())
}

#[test]
fn props_workspace_bodies_decode_to_sensible_workspaces() {
    let p = aether();
    let names = HashMap::from([("a1b2c3d4-5678-90ab-cdef-1234567890ab".to_string(), "web".to_string())]);
    check("aether workspace body", CASES, mutated_text_one_of(workspaces()), |body| {
        // What `RawResponse::json` does with the body, then what `get` does with the result.
        if let Ok(w) = serde_json::from_str::<WireWorkspace>(&body) {
            prop_checks::outcome(&p.decode(w, &names), sensible)?;
        }
        Ok(())
    });
}

#[test]
fn props_list_bodies_decode_to_sensible_workspaces() {
    let p = aether();
    let strategy = mutated_list("workspaces", workspaces(), json!({}));
    check("aether list body", CASES, strategy, |list| {
        let text = serde_json::to_string(&list).unwrap_or_default();
        if let Ok(l) = serde_json::from_str::<WorkspaceList>(&text) {
            for w in l.workspaces {
                prop_checks::outcome(&p.decode(w, &HashMap::new()), sensible)?;
            }
        }
        Ok(())
    });
}

#[test]
fn props_preview_links_stay_on_the_gateway() {
    let api = url::Url::parse(DEFAULT_BASE_URL).expect("the default base URL");
    let ids = crate::providers::prop_json::odd_string();
    let strategy = (ids.clone(), ids.clone(), proptest::option::of(ids), any::<u16>());
    check("aether preview link", CASES, strategy, |(project, id, token, port)| {
        if let Some(link) = preview_url(&api, &project, &id, port, token.as_deref()) {
            let host = url::Url::parse(&link).ok().and_then(|u| u.host_str().map(str::to_string));
            prop_assert!(
                host.as_deref().is_some_and(|h| h.ends_with(".preview.runaether.dev")),
                "{link} leaves the gateway"
            );
        }
        Ok(())
    });
}

/// Through the HTTP layer: a demo Aether whose one answer is hostile, for list, get and the
/// create form (projects and settings), with any status.
#[test]
fn props_hostile_answers_over_http_give_workspaces_forms_or_typed_errors() {
    let on = OnDemo::start(hangar_demo::aether::start(hangar_demo::Timing::quick()), |d| d.cloud());
    let id = on.block_on(on.connect().list()).expect("the demo lists").first().map(|w| w.id.clone()).expect("one");
    let get = format!("/workspaces/{id}");
    let settings = json!({"default_hardware": {"cpu_kind": "performance", "cpus": 4, "memory_mb": 8192,
                                               "volume_size_gb": 20, "gpu_kind": null}});
    let projects = json!({"projects": [{"id": "a1b2c3d4-5678-90ab-cdef-1234567890ab", "name": "web"}]});
    let calls = prop_oneof![
        (
            Just((Call::List, "/workspaces".to_string())),
            mutated_list("workspaces", workspaces(), json!({})).prop_map(|v| v.to_string())
        ),
        (Just((Call::Get(id.clone()), get)), mutated_text_one_of(workspaces())),
        (Just((Call::CreateForm, "/user/settings".to_string())), mutated_text(settings)),
        (Just((Call::CreateForm, "/projects".to_string())), mutated_text(projects)),
        (Just((Call::List, "/workspaces".to_string())), mutated_text(error_body())),
    ];
    check("aether over http", DEMO_CASES, (calls, prop_checks::status()), |(((call, at), body), status)| {
        on.answer(&on.demo.server, &at, status, &body, &call)
    });
}

// Regression tests for what the properties found, each with the exact input.

#[test]
fn props_found_a_workspace_without_an_id_is_a_bad_response() {
    let p = aether();
    let mut body = workspace("stopping");
    body["id"] = json!("");
    let w: WireWorkspace = serde_json::from_value(body).expect("the wire type reads it");
    let err = p.decode(w, &HashMap::new()).expect_err("no id, nothing to address it by");
    assert_eq!(err.code(), "bad_response", "{err}");
}

#[test]
fn props_found_a_project_id_with_a_slash_gives_no_preview_link() {
    let api = url::Url::parse(DEFAULT_BASE_URL).expect("the default base URL");
    assert_eq!(preview_url(&api, "/", "x", 0, None), None, "a host would end at the slash");
    assert_eq!(preview_url(&api, "a@b.c/d", "x", 3000, None), None);
    let token = "abcdefghijklmnopqrstuvwxyz012345";
    assert_eq!(preview_url(&api, "p", "ab/cd?ef", 3000, Some(token)), None);
    assert_eq!(
        preview_url(&api, "a1b2c3d4-5678", "x", 3000, None).as_deref(),
        Some("https://3000-a1b2c3d4.preview.runaether.dev/")
    );
}

#[test]
fn props_found_an_empty_git_ref_is_no_detail() {
    let mut body = workspace("running");
    body["git_ref"] = json!("");
    body["machine_id"] = json!(" ");
    let w: WireWorkspace = serde_json::from_value(body).expect("the wire type reads it");
    let ws = aether().to_workspace(w, &HashMap::new());
    assert!(!ws.details.contains_key("git ref") && !ws.details.contains_key("machine"), "{:?}", ws.details);
}

#[test]
fn props_found_settings_off_the_table_leave_the_form_its_own_defaults() {
    let projects = vec![wire::WireProject { id: "p1".into(), name: "web".into() }];
    let odd = WireHardware {
        cpu_kind: Some(String::new()),
        cpus: Some(3),
        memory_mb: Some(u64::MAX),
        volume_size_gb: Some(0),
        gpu_kind: Some("h100".into()),
    };
    let form = create_form_of(&projects, Some(odd)).expect("a form");
    prop_checks::sensible_form(&form).expect("the form accepts its own defaults");
    let field = |k: &str| form.field(k).and_then(|f| f.default.clone());
    assert_eq!(
        (field("cpu_kind"), field("cpus"), field("memory_mb"), field("volume_size_gb"), field("gpu_kind")),
        (Some("shared".into()), Some("2".into()), Some("2048".into()), Some("10".into()), Some("none".into()))
    );
}

#[test]
fn props_found_a_blank_gpu_kind_is_no_gpu() {
    let hw = WireHardware { gpu_kind: Some(" ".into()), ..WireHardware::default() };
    assert_eq!(to_hardware(&hw).gpu, None);
}
