//! Strongly.ai's decoders fed hostile answers shaped like its contract (§3 workspace, offset
//! pages, projects, unpublished error bodies): never a panic, always a sensible workspace or
//! form, or a typed error.

use std::sync::Arc;

use proptest::prelude::*;
use serde_json::{json, Value};

use super::client::{check_id, next_offset};
use super::errors::vendor_error;
use super::wire::{ProjectList, WireWorkspace, WorkspacePage};
use super::*;
use crate::http::HttpSettings;
use crate::providers::prop_checks::{self, sensible_form, sensible_workspace, Call, OnDemo};
use crate::providers::prop_json::{
    any_value, check, mutated, mutated_list, mutated_one_of, mutated_text, mutated_text_one_of,
};
use crate::secrets::{Credentials, MemoryStore};

const CASES: u32 = 256;
const DEMO_CASES: u32 = 96;
const STATUSES: [&str; 6] = ["pending", "running", "stopped", "failed", "terminated", "Running"];

fn workspace(status: &str) -> Value {
    json!({"id": "ws_ghi789", "name": "Training Environment", "description": "GPU-enabled workspace",
      "status": status, "environmentType": "jupyter", "image": "strongly/jupyter-gpu:latest",
      "resources": {"cpu": "4", "memory": "16Gi", "gpu": "1", "gpuType": "nvidia-a10g", "storage": "50Gi"},
      "organizationId": "org_xyz", "owner": {"id": "user_456", "name": "Jane Smith", "email": "jane@example.com"},
      "ownerId": "user_456", "url": "https://ws-ghi789.workspaces.strongly.ai", "projectId": "proj_abc123",
      "volumeIds": ["vol_def001"], "createdAt": "2025-01-16T11:00:00Z", "updatedAt": "2025-02-01T08:00:00Z"})
}

fn workspaces() -> Vec<Value> {
    STATUSES.iter().map(|s| workspace(s)).collect()
}

fn error_bodies() -> Vec<Value> {
    vec![
        json!({"error": {"message": "description is required", "code": "VALIDATION", "field": "description"},
               "requestId": "req_1"}),
        json!({"error": "Forbidden", "message": "missing scope workspaces:write", "meta": {"requestId": "req_2"}}),
        json!({"message": "Invalid", "details": [{"path": "resources.gpuType", "message": "required"}]}),
    ]
}

fn strongly() -> Strongly {
    Strongly::new(ProviderContext {
        account: Account {
            name: "acme".into(),
            provider: ProviderId::Strongly,
            base_url: Some("https://acme.strongly.ai".into()),
            options: BTreeMap::new(),
        },
        credentials: Credentials::single("api_key", "sk-test-a1b2c3"),
        secrets: Arc::new(MemoryStore::default()),
        http: HttpSettings::default(),
    })
    .expect("a Strongly.ai provider")
}

/// What `wire` and `pages` accept, then what `get` and `list` make of it.
fn decoded(p: &Strongly, w: WireWorkspace) -> crate::error::Result<Workspace> {
    check_id(&w)?;
    Ok(p.to_workspace(w, &HashMap::from([("proj_abc123".to_string(), "Research".to_string())])))
}

fn sensible(w: &Workspace) -> Result<(), TestCaseError> {
    sensible_workspace(w, ProviderId::Strongly, "acme")
}

#[test]
fn props_workspace_bodies_decode_to_sensible_workspaces() {
    let p = strongly();
    check("strongly workspace body", CASES, mutated_text_one_of(workspaces()), |body| {
        if let Ok(w) = serde_json::from_str::<WireWorkspace>(&body) {
            prop_checks::outcome(&decoded(&p, w), sensible)?;
        }
        Ok(())
    });
}

#[test]
fn props_pages_decode_to_sensible_workspaces_and_end() {
    let p = strongly();
    let pages = mutated_list("workspaces", workspaces(), json!({"count": 8, "limit": 20, "offset": 0}));
    check("strongly list page", CASES, (pages, any::<u32>()), |(page, offset)| {
        let text = serde_json::to_string(&page).unwrap_or_default();
        if let Ok(page) = serde_json::from_str::<WorkspacePage>(&text) {
            let offset = u64::from(offset);
            let got = page.workspaces.len() as u64;
            if let Some(next) = next_offset(offset, got, page.limit, page.count) {
                prop_assert!(next > offset, "paging went back: {offset} → {next}");
            }
            for w in page.workspaces {
                prop_checks::outcome(&decoded(&p, w), sensible)?;
            }
        }
        Ok(())
    });
}

#[test]
fn props_error_bodies_give_a_message_or_nothing() {
    let bodies = prop_oneof![3 => mutated_one_of(error_bodies()), 1 => any_value(100)];
    check("strongly error body", CASES, bodies, |body| {
        let (message, field) = vendor_error(&body.to_string());
        prop_assert!(message.is_none_or(|m| !m.trim().is_empty()), "an empty message");
        if let Some(f) = field {
            let form = form::create_form(None);
            prop_assert!(form.field(&f).is_some(), "blames '{f}', which the form does not have");
        }
        Ok(())
    });
}

/// The create form from hostile projects, the update form from hostile resources.
#[test]
fn props_projects_and_resources_make_sensible_forms() {
    let projects = json!({"projects": [{"id": "proj_abc123", "name": "Research"}, {"id": "proj_2"}]});
    let resources = workspace("stopped")["resources"].clone();
    check("strongly forms", CASES, (mutated(projects), mutated(resources)), |(projects, resources)| {
        if let Ok(list) = serde_json::from_value::<ProjectList>(projects) {
            sensible_form(&form::create_form(Some(list.into_vec())))?;
        }
        if let Ok(r) = serde_json::from_value::<wire::Resources>(resources) {
            sensible_form(&form::update_form(Some(&r)))?;
        }
        Ok(())
    });
}

/// Through the HTTP layer: a demo Strongly.ai whose one answer is hostile, for list, get and
/// the create form, with any status.
#[test]
fn props_hostile_answers_over_http_give_workspaces_forms_or_typed_errors() {
    let on = OnDemo::start(hangar_demo::strongly::start(hangar_demo::Timing::quick()), |d| d.cloud());
    let rows = on.block_on(on.connect().list()).expect("the demo lists");
    let id = rows.first().map(|w| w.id.clone()).expect("a demo workspace");
    let one = format!("/workspaces/{id}");
    let projects = json!({"projects": [{"id": "proj_abc123", "name": "Research"}]});
    let calls = prop_oneof![
        (
            Just((Call::List, "/api/v1/workspaces".to_string())),
            mutated_list("workspaces", workspaces(), json!({"count": 3, "limit": 100})).prop_map(|v| v.to_string())
        ),
        (Just((Call::Get(id.clone()), one)), mutated_text_one_of(workspaces())),
        (Just((Call::CreateForm, "/projects".to_string())), mutated_text(projects)),
        (Just((Call::List, "/api/v1/workspaces".to_string())), mutated_text_one_of(error_bodies())),
    ];
    check("strongly over http", DEMO_CASES, (calls, prop_checks::status()), |(((call, at), body), status)| {
        on.answer(&on.demo.server, &at, status, &body, &call)
    });
}

// Regression tests for what the properties found, each with the exact input.

#[test]
fn props_found_current_resources_the_form_would_refuse_are_not_its_defaults() {
    let r = wire::Resources {
        cpu: Some("4\u{7}".into()),
        memory: Some("1".repeat(300)),
        gpu: Some("32".into()),
        gpu_type: Some("a10\u{1b}[0m".into()),
        storage: Some("50Gi".into()),
    };
    let form = form::update_form(Some(&r));
    assert_eq!(form.field("gpu").and_then(|f| f.default.as_deref()), Some("32"), "the GPUs it has stay");
    assert_eq!(form.field("storage").and_then(|f| f.default.as_deref()), Some("50Gi"));
    for key in ["cpu", "memory", "gpuType"] {
        assert_eq!(form.field(key).map(|f| f.default.clone()), Some(None), "{key}");
    }
    let untouched = form.validate(&BTreeMap::from([
        ("cpu".to_string(), "4".to_string()),
        ("memory".to_string(), "16Gi".to_string()),
        ("gpuType".to_string(), "a10".to_string()),
    ]));
    assert!(untouched.is_ok(), "{untouched:?}");
}
