//! Anyscale's decoders fed hostile answers shaped like its contract (workspace row, cluster,
//! compute config and catalog, the create form's lists, error bodies): never a panic, always a
//! sensible workspace or form, or a typed error.

use std::sync::Arc;

use proptest::prelude::*;
use serde_json::{json, Value};

use super::mapping::to_hardware;
use super::wire::*;
use super::*;
use crate::http::HttpSettings;
use crate::model::Gpu;
use crate::providers::prop_checks::{self, sensible_form, sensible_hardware, sensible_workspace, Call, OnDemo};
use crate::providers::prop_json::{check, mutated, mutated_list, mutated_text, mutated_text_one_of};
use crate::secrets::{Credentials, MemoryStore};

const CASES: u32 = 256;
const DEMO_CASES: u32 = 96;
const STATES: [&str; 8] =
    ["StartingUp", "Running", "Updating", "Terminating", "Terminated", "StartupErrored", "StoppingErrored", "Unknown"];

fn workspace(state: &str) -> Value {
    json!({"id": "expwrk_abc123", "name": "my-workspace", "description": null,
      "project_id": "prj_abc123", "cloud_id": "cld_abc123", "compute_config_id": "cpt_abc123",
      "cluster_environment_build_id": "bld_abc123", "created_at": "2026-01-01T10:30:00+00:00",
      "creator_email": "someone@myorg.com", "cluster_id": "ses_abc123", "kuberay_cr_id": null,
      "state": state, "latest_started_at": "2026-01-02T08:00:00+00:00", "idle_timeout_minutes": 120,
      "vscode_url": "https://cluster.example/vscode", "ray_dashboard_url": null})
}

fn workspaces() -> Vec<Value> {
    let mut all: Vec<Value> = STATES.iter().map(|s| workspace(s)).collect();
    let mut kuberay = workspace("Running");
    kuberay["kuberay_cr_id"] = json!("kr_1");
    all.push(kuberay);
    all
}

fn session() -> Value {
    json!({"result": {"id": "ses_abc123", "compute_template_id": "cpt_abc123", "idle_timeout": 120, "state": "Running",
      "cloud": {"id": "cld_abc123", "name": "my-cloud", "provider": "AWS"},
      "creator": {"id": "usr_abc123", "email": "someone@myorg.com"},
      "webterminal_auth_url": "https://cluster.example/webterminal",
      "jupyter_notebook_url": "https://cluster.example/jupyter/lab",
      "ray_dashboard_url": "https://cluster.example/dashboard", "idle_time_remaining_seconds": 5400}})
}

fn compute_template() -> Value {
    json!({"result": {"id": "cpt_abc123", "name": "anon", "version": 1, "config": {"cloud_id": "cld_abc123",
      "head_node_type": {"name": "head-node", "instance_type": "m5.2xlarge", "resources": {"cpu": 0, "gpu": 0}},
      "worker_node_types": [{"name": "gpu", "instance_type": "g5.12xlarge", "min_workers": 0, "max_workers": 2,
        "use_spot": false, "resources": {"cpu": 48, "gpu": 4}}],
      "auto_select_worker_config": false}}})
}

fn instance_types() -> Value {
    json!({"results": [{"instance_types": [
      {"name": "g5.12xlarge", "cpu_count": 48, "memory_in_gib": 192.0, "gpu_type": "A10G", "gpu_count": 4},
      {"name": "m5.2xlarge", "cpu_count": 8, "memory_in_gib": 32.0, "gpu_type": null, "gpu_count": 0}]}]})
}

fn error_body() -> Value {
    json!({"error": {"detail": [{"loc": ["body", "name"], "msg": "bad name", "type": "value_error"}],
                     "message": "Invalid request"}})
}

fn anyscale() -> Anyscale {
    Anyscale::new(ProviderContext {
        account: Account {
            name: "acme".into(),
            provider: ProviderId::Anyscale,
            base_url: Some(DEFAULT_BASE_URL.into()),
            options: BTreeMap::new(),
        },
        credentials: Credentials::single("token", "sss_test"),
        secrets: Arc::new(MemoryStore::default()),
        http: HttpSettings::default(),
    })
    .expect("an Anyscale provider")
}

/// The provider's caches filled from a compute config and a catalog as `learn` reads them.
fn learnt(compute: &str, catalog: &str) -> Anyscale {
    let p = anyscale();
    if let Ok(t) = serde_json::from_str::<Envelope<ComputeTemplate>>(compute) {
        if let Ok(mut m) = p.computes.lock() {
            m.insert("cpt_abc123".into(), t.result.config.unwrap_or_default());
        }
    }
    if let Ok(page) = serde_json::from_str::<Page<InstanceTypeGroup>>(catalog) {
        if let Ok(mut m) = p.catalogs.lock() {
            m.insert("cld_abc123".into(), page.results.into_iter().flat_map(|g| g.instance_types).collect());
        }
    }
    p
}

fn sensible(w: &Workspace) -> Result<(), TestCaseError> {
    sensible_workspace(w, ProviderId::Anyscale, "acme")
}

/// `get`: the row, its cluster, and the hardware from the compute config and catalog, each
/// body hostile on its own.
#[test]
fn props_workspace_cluster_and_compute_bodies_decode_to_sensible_workspaces() {
    let strategy = (
        mutated_text_one_of(workspaces().into_iter().map(|w| json!({ "result": w })).collect()),
        proptest::option::of(mutated_text(session())),
        mutated_text(compute_template()),
        mutated_text(instance_types()),
    );
    check("anyscale workspace body", CASES, strategy, |(row, cluster, compute, catalog)| {
        let p = learnt(&compute, &catalog);
        let Ok(w) = serde_json::from_str::<Envelope<WireWorkspace>>(&row) else { return Ok(()) };
        let session = cluster.and_then(|c| serde_json::from_str::<Envelope<DecoratedSession>>(&c).ok());
        prop_checks::outcome(&p.decode(&w.result, session.as_ref().map(|s| &s.result)), sensible)
    });
}

#[test]
fn props_list_pages_decode_to_sensible_workspaces() {
    let page = json!({"metadata": {"total": 3, "next_paging_token": "tok"}});
    let strategy = (mutated_list("results", workspaces(), page), mutated_text(compute_template()));
    check("anyscale list page", CASES, strategy, |(page, compute)| {
        let p = learnt(&compute, "{}");
        let text = serde_json::to_string(&page).unwrap_or_default();
        if let Ok(page) = serde_json::from_str::<Page<WireWorkspace>>(&text) {
            let _ = page.next_token();
            for w in &page.results {
                prop_checks::outcome(&p.decode(w, None), sensible)?;
            }
        }
        Ok(())
    });
}

#[test]
fn props_compute_configs_and_catalogs_make_sensible_hardware() {
    let strategy = (mutated(compute_template()), mutated(instance_types()));
    check("anyscale hardware", CASES, strategy, |(compute, catalog)| {
        let config = serde_json::from_value::<Envelope<ComputeTemplate>>(compute).map(|t| t.result.config);
        let types = serde_json::from_value::<Page<InstanceTypeGroup>>(catalog)
            .map(|p| p.results.into_iter().flat_map(|g| g.instance_types).collect::<Vec<_>>());
        if let (Ok(Some(config)), Ok(types)) = (config, types) {
            sensible_hardware(&to_hardware(&config, &types))?;
        }
        Ok(())
    });
}

/// The create form from hostile clouds, projects, compute configs, catalog and default build.
#[test]
fn props_create_form_lists_make_sensible_forms() {
    let clouds = json!({"results": [{"id": "cld_abc123", "name": "my-cloud", "provider": "AWS", "region": "us-west-2",
                                     "is_default": true, "compute_stack": "VM"}]});
    let projects = json!({"results": [{"id": "prj_abc123", "name": "default", "is_default": true}]});
    let computes = json!({"results": [compute_template()["result"].clone()]});
    let build = json!({"result": {"id": "bld_abc123", "docker_image_name": "anyscale/ray:2.59.0-py311"}});
    let strategy = (mutated(clouds), mutated(projects), mutated(computes), mutated(instance_types()), mutated(build));
    check("anyscale create form", CASES, strategy, |(clouds, projects, computes, types, build)| {
        let (Ok(clouds), Ok(projects), Ok(computes), Ok(types)) = (
            serde_json::from_value::<Page<WireCloud>>(clouds),
            serde_json::from_value::<Page<WireProject>>(projects),
            serde_json::from_value::<Page<ComputeTemplate>>(computes),
            serde_json::from_value::<Page<InstanceTypeGroup>>(types),
        ) else {
            return Ok(());
        };
        let instance_types: Vec<InstanceType> = types.results.into_iter().flat_map(|g| g.instance_types).collect();
        // What `create_form` refuses before building a form.
        if clouds.results.is_empty()
            || projects.results.is_empty()
            || (computes.results.is_empty() && instance_types.is_empty())
        {
            return Ok(());
        }
        let offer = Offer {
            cloud_id: clouds.results[0].id.clone(),
            clouds: clouds.results,
            projects: projects.results,
            computes: computes.results,
            instance_types,
            default_build: serde_json::from_value::<Envelope<Build>>(build).ok().map(|b| b.result),
        };
        sensible_form(&form::create_form(&offer))
    });
}

/// Through the HTTP layer: a demo Anyscale whose one answer is hostile, for list, get (the
/// row and the cluster) and the create form, with any status.
#[test]
fn props_hostile_answers_over_http_give_workspaces_forms_or_typed_errors() {
    let on = OnDemo::start(hangar_demo::anyscale::start(hangar_demo::Timing::quick()), |d| d.cloud());
    let rows = on.block_on(on.connect().list()).expect("the demo lists");
    let id = rows.first().map(|w| w.id.clone()).expect("a demo workspace");
    let row = format!("/experimental_workspaces/{id}");
    let list = "/api/v2/experimental_workspaces/".to_string();
    let page = json!({"metadata": {"total": 3, "next_paging_token": null}});
    let clouds = json!({"results": [{"id": "cld_abc123", "name": "my-cloud", "is_default": true}]});
    let calls = prop_oneof![
        (Just((Call::List, list.clone())), mutated_list("results", workspaces(), page).prop_map(|v| v.to_string())),
        (
            Just((Call::Get(id.clone()), row)),
            mutated_text_one_of(workspaces().into_iter().map(|w| json!({ "result": w })).collect())
        ),
        (Just((Call::Get(id.clone()), "/compute_templates/".to_string())), mutated_text(compute_template())),
        (Just((Call::CreateForm, "/api/v2/clouds/".to_string())), mutated_text(clouds)),
        (Just((Call::List, list)), mutated_text(error_body())),
    ];
    check("anyscale over http", DEMO_CASES, (calls, prop_checks::status()), |(((call, at), body), status)| {
        on.answer(&on.demo.server, &at, status, &body, &call)
    });
}

// Regression tests for what the properties found, each with the exact input.

fn row(change: impl FnOnce(&mut Value)) -> WireWorkspace {
    let mut w = workspace("Running");
    change(&mut w);
    serde_json::from_value(w).expect("the wire type reads it")
}

#[test]
fn props_found_gpus_times_workers_past_u32_do_not_overflow() {
    let config: ComputeConfig = serde_json::from_value(json!({
        "head_node_type": {"name": "head", "instance_type": "m5.2xlarge"},
        "worker_node_types": [{"name": "gpu", "instance_type": "g5", "max_workers": 2}]}))
    .expect("a config");
    let catalog: Vec<InstanceType> = serde_json::from_value(json!([
        {"name": "g5", "gpu_type": "A10G", "gpu_count": u32::MAX}]))
    .expect("a catalog");
    let hw = to_hardware(&config, &catalog);
    assert_eq!(hw.gpu, Some(Gpu { kind: "A10G".into(), count: u32::MAX }), "the count saturates");
}

#[test]
fn props_found_idle_seconds_near_i64_max_do_not_overflow() {
    let mut s: Envelope<DecoratedSession> = serde_json::from_value(session()).expect("a session");
    s.result.idle_time_remaining_seconds = Some(i64::MAX);
    let ws = anyscale().to_workspace(&row(|_| {}), Some(&s.result));
    assert_eq!(ws.details["idle termination in"], format!("{} min", i64::MAX / 60 + 1));
}

#[test]
fn props_found_a_negative_or_blank_catalog_fact_is_not_hardware() {
    let config: ComputeConfig =
        serde_json::from_value(json!({"head_node_type": {"name": "head", "instance_type": "m5"}})).expect("a config");
    let catalog: Vec<InstanceType> = serde_json::from_value(json!([
        {"name": "m5", "cpu_count": -1, "memory_in_gib": -0.5, "gpu_type": " ", "gpu_count": 1}]))
    .expect("a catalog");
    let hw = to_hardware(&config, &catalog);
    assert_eq!((hw.cpus, hw.memory_gb, hw.gpu), (None, None, None));
}

#[test]
fn props_found_a_row_without_an_id_is_a_bad_response_and_without_a_name_shows_its_id() {
    let p = anyscale();
    let err = p.decode(&row(|w| w["id"] = json!(" ")), None).expect_err("no id");
    assert_eq!(err.code(), "bad_response", "{err}");
    let ws = p.decode(&row(|w| w["name"] = json!("")), None).expect("a workspace");
    assert_eq!(ws.name, "expwrk_abc123");
}

#[test]
fn props_found_blank_details_are_not_shown() {
    let ws = anyscale().to_workspace(&row(|w| w["cluster_id"] = json!("\t")), None);
    assert!(!ws.details.contains_key("cluster"), "{:?}", ws.details);
}
