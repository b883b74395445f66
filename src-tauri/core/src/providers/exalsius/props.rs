//! exalsius' decoders fed hostile answers shaped like its contract (§4 workspace with its
//! access information, §6 clusters, templates and node resources, §9 problem bodies): never a
//! panic, always a sensible workspace or form, or a typed error.

use proptest::prelude::*;
use serde_json::{json, Value};

use std::sync::Arc;

use super::errors::problem;
use super::form::Offer;
use super::mapping::*;
use super::ssh::ssh_endpoint;
use super::wire::*;
use super::*;
use crate::http::HttpSettings;
use crate::providers::prop_checks::{self, sensible_form, sensible_workspace, Call, OnDemo};
use crate::providers::prop_json::{
    any_value, check, mutated, mutated_list, mutated_one_of, mutated_text, mutated_text_one_of,
};
use crate::secrets::MemoryStore;

const CASES: u32 = 256;
const DEMO_CASES: u32 = 96;
const STATUSES: [&str; 5] = ["PENDING", "RUNNING", "STOPPED", "DELETED", "FAILED"];

fn workspace(status: &str) -> Value {
    json!({"id": "5b0f3c1e-2a47-4d8e-9c61-7f2e4a9b1d03", "name": "jupyter-brave-otter",
      "cluster_id": "3f0c9a4e-8d2b-4c1e-9f6a-2b7d5e8c1a90", "workspace_status": status,
      "template": {"name": "jupyter-notebook-template", "description": "Jupyter Notebook", "variables": {"notebookPassword": "x"}},
      "owner": "auth0|65f0c2d1e4b0a1", "owner_username": "ada@example.com", "owner_org_name": "Acme",
      "description": "Workspace with 1 GPUs",
      "access_information": [
        {"access_type": "NODE_PORT", "access_protocol": "HTTP", "access_description": "Jupyter Notebook UI",
         "port_name": "http", "port_number": 31888, "external_ips": ["203.0.113.10"]},
        {"access_type": "NODE_PORT", "access_protocol": "TCP", "port_name": "ssh", "port_number": 30022,
         "external_ips": ["2001:db8::1"]},
        {"access_type": "NODE_PORT", "access_protocol": "TCP", "port_name": "llm-inference", "port_number": 30081,
         "external_ips": ["node-1.example"]}],
      "resources": {"gpu_count": 1, "gpu_vendor": "NVIDIA", "gpu_type": "L40", "gpu_memory": 48,
                    "cpu_cores": 13, "memory_gb": 54, "storage_gb": 170},
      "created_at": "2026-04-28T09:14:03Z", "to_be_deleted_at": "2026-05-28T09:14:03"})
}

fn workspaces() -> Vec<Value> {
    STATUSES.iter().map(|s| workspace(s)).collect()
}

fn problems() -> Vec<Value> {
    vec![
        json!({"detail": {"type": "t", "title": "Bad Request", "status": 400, "instance": "/workspaces",
                          "detail": "resources.cpu_cores: 99 requested"}}),
        json!({"type": "about:blank", "title": "Conflict", "status": 409, "detail": "The workspace already exists."}),
        json!({"detail": [{"loc": ["body", "resources", 0, "gpu_count"], "msg": "Input should be a valid integer"}]}),
        json!({"detail": "Not authenticated"}),
    ]
}

fn clusters() -> Value {
    json!({"clusters": [{"id": "c1", "name": "lab-cluster", "cluster_status": "READY", "cluster_type": "REMOTE",
                         "k8s_version": "1.30"}], "total": 1})
}

fn templates() -> Value {
    json!({"workspace_templates": [
      {"name": "jupyter-notebook-template", "description": "Jupyter Notebook",
       "variables": {"notebookPassword": "", "deploymentImage": "ghcr.io/exalsius/jupyter-notebook:latest-nvidia",
                     "global": {"deploymentName": ""}, "deploymentNumReplicas": 1, "shmSizeGb": 8, "debug": false}},
      {"name": "vscode-devcontainer-template", "variables": {"sshPassword": "", "sshPublicKey": ""}}], "total": 2})
}

fn resources() -> Value {
    json!({"resources": [
      {"node_id": "n1", "node_name": "gpu-node-1", "available": {"gpu_count": 2, "gpu_vendor": "nvidia", "gpu_type": "L40",
        "gpu_memory": 48, "cpu_cores": 30, "memory_gb": 120, "storage_gb": 400}},
      {"node_id": "n2", "available": {"gpu_count": 0, "cpu_cores": 8, "memory_gb": 32, "storage_gb": 100}}], "total": 2})
}

fn exalsius() -> Exalsius {
    Exalsius::new(ProviderContext {
        account: Account {
            name: "acme".into(),
            provider: ProviderId::Exalsius,
            base_url: None,
            options: BTreeMap::new(),
        },
        credentials: Credentials::single(ACCESS_TOKEN, "eyJ.test.token"),
        secrets: Arc::new(MemoryStore::default()),
        http: HttpSettings::default(),
    })
    .expect("an exalsius provider")
}

fn sensible(w: &Workspace) -> Result<(), TestCaseError> {
    sensible_workspace(w, ProviderId::Exalsius, "acme")
}

#[test]
fn props_workspace_bodies_decode_to_sensible_workspaces() {
    let p = exalsius();
    let bodies = mutated_text_one_of(workspaces().into_iter().map(|w| json!({ "workspace": w })).collect());
    check("exalsius workspace body", CASES, bodies, |body| {
        if let Ok(w) = serde_json::from_str::<WorkspaceResponse>(&body) {
            prop_checks::outcome(&p.decode(&w.workspace), sensible)?;
            let _ = ssh_endpoint(w.workspace.access_information.as_deref().unwrap_or_default());
        }
        Ok(())
    });
}

#[test]
fn props_list_bodies_decode_to_sensible_workspaces() {
    let p = exalsius();
    check("exalsius list body", CASES, mutated_list("workspaces", workspaces(), json!({"total": 5})), |list| {
        let text = serde_json::to_string(&list).unwrap_or_default();
        if let Ok(l) = serde_json::from_str::<WorkspacesList>(&text) {
            for w in &l.workspaces {
                prop_checks::outcome(&p.decode(w), sensible)?;
            }
        }
        Ok(())
    });
}

/// `problem` reads any body as a value: the contract's shapes bent, and anything at all.
#[test]
fn props_problem_bodies_give_a_message_or_nothing() {
    let bodies = prop_oneof![3 => mutated_one_of(problems()), 1 => any_value(100)];
    check("exalsius problem body", CASES, bodies, |body| {
        let (message, field) = problem(&body.to_string());
        prop_assert!(message.is_none_or(|m| !m.trim().is_empty()), "an empty message");
        prop_assert!(field.is_none_or(|f| !f.is_empty()), "an empty field");
        Ok(())
    });
}

/// The wizard from hostile clusters, templates and node resources.
#[test]
fn props_cluster_template_and_resource_lists_make_sensible_forms() {
    let strategy = (mutated(clusters()), mutated(templates()), mutated(resources()));
    check("exalsius create form", CASES, strategy, |(clusters, templates, resources)| {
        let (Ok(clusters), Ok(templates), Ok(resources)) = (
            serde_json::from_value::<ClustersList>(clusters),
            serde_json::from_value::<TemplatesList>(templates),
            serde_json::from_value::<ResourcesList>(resources),
        ) else {
            return Ok(());
        };
        // What `offer` keeps and refuses before the form is built.
        let clusters: Vec<_> =
            clusters.clusters.into_iter().filter(|c| c.cluster_status == "READY" && c.id.is_some()).collect();
        let Some(cluster_id) = clusters.first().and_then(|c| c.id.clone()) else { return Ok(()) };
        if templates.workspace_templates.is_empty() {
            return Ok(());
        }
        let offer = Offer {
            clusters,
            cluster_id,
            templates: templates.workspace_templates,
            nodes: form::nodes(&resources.resources),
        };
        prop_checks::outcome(&form::create_form(&offer, &BTreeMap::new()), sensible_form)
    });
}

/// Through the HTTP layer: a demo exalsius whose one answer is hostile, for list, get and the
/// create form, with any status (a 401 renews the demo's tokens once).
#[test]
fn props_hostile_answers_over_http_give_workspaces_forms_or_typed_errors() {
    let on = OnDemo::start(hangar_demo::exalsius::start(hangar_demo::Timing::quick()), |d| d.cloud());
    let rows = on.block_on(on.connect().list()).expect("the demo lists");
    let id = rows.first().map(|w| w.id.clone()).expect("a demo workspace");
    let one = format!("/workspace/{id}");
    let calls = prop_oneof![
        (
            Just((Call::List, "/workspaces".to_string())),
            mutated_list("workspaces", workspaces(), json!({})).prop_map(|v| v.to_string())
        ),
        (
            Just((Call::Get(id.clone()), one)),
            mutated_text_one_of(workspaces().into_iter().map(|w| json!({ "workspace": w })).collect())
        ),
        (Just((Call::CreateForm, "/management/workspace-templates".to_string())), mutated_text(templates())),
        (Just((Call::List, "/workspaces".to_string())), mutated_text_one_of(problems())),
    ];
    check("exalsius over http", DEMO_CASES, (calls, prop_checks::status()), |(((call, at), body), status)| {
        on.answer(&on.demo.server, &at, status, &body, &call)
    });
}

// Regression tests for what the properties found, each with the exact input.

#[test]
fn props_found_a_workspace_without_id_or_name_is_a_bad_response() {
    let p = exalsius();
    let w: WorkspaceResponse = serde_json::from_str(r#"{"workspace": {}}"#).expect("the wire type reads it");
    let err = p.decode(&w.workspace).expect_err("nothing to address it by");
    assert_eq!(err.code(), "bad_response", "{err}");
    let w: WorkspaceResponse =
        serde_json::from_str(r#"{"workspace": {"id": "w1", "name": " "}}"#).expect("the wire type reads it");
    assert_eq!(p.decode(&w.workspace).expect("a workspace").name, "w1", "a blank name shows the id");
}

#[test]
fn props_found_a_node_without_free_cpu_offers_no_empty_range() {
    let mut nodes = resources();
    nodes["resources"][1]["available"]["cpu_cores"] = json!(0);
    nodes["resources"].as_array_mut().expect("a list").remove(0);
    let nodes: ResourcesList = serde_json::from_value(nodes).expect("the wire type reads it");
    let offer = Offer {
        clusters: serde_json::from_value::<ClustersList>(clusters()).expect("clusters").clusters,
        cluster_id: "c1".into(),
        templates: serde_json::from_value::<TemplatesList>(templates()).expect("templates").workspace_templates,
        nodes: form::nodes(&nodes.resources),
    };
    let err = form::create_form(&offer, &BTreeMap::new()).expect_err("no node can take a workspace");
    assert_eq!(err.field(), Some(form::CLUSTER), "{err}");
}

#[test]
fn props_found_negative_amounts_are_not_hardware() {
    let r: NodeHardware = serde_json::from_value(
        json!({"cpu_cores": -1, "memory_gb": -0.5, "storage_gb": 10, "gpu_count": 1, "gpu_memory": -48}),
    )
    .expect("the wire type reads it");
    let hw = to_hardware(Some(&r));
    assert_eq!((hw.cpus, hw.memory_gb), (None, None));
    assert_eq!(hw.label.as_deref(), Some("1× GPU · 10 GB disk"));
}

#[test]
fn props_found_template_defaults_the_form_would_refuse_are_not_offered() {
    let mut t = templates();
    t["workspace_templates"][0]["variables"]["deploymentImage"] = json!("img\u{1b}[31m");
    t["workspace_templates"][0]["variables"]["shmSizeGb"] = json!(1e300);
    t["workspace_templates"][0]["variables"]["notes"] = json!("x".repeat(300));
    let offer = Offer {
        clusters: serde_json::from_value::<ClustersList>(clusters()).expect("clusters").clusters,
        cluster_id: "c1".into(),
        templates: serde_json::from_value::<TemplatesList>(t).expect("templates").workspace_templates,
        nodes: form::nodes(&serde_json::from_value::<ResourcesList>(resources()).expect("nodes").resources),
    };
    let f = form::create_form(&offer, &BTreeMap::new()).expect("a form");
    prop_checks::sensible_form(&f).expect("the form accepts its own defaults");
    for key in ["var.deploymentImage", "var.shmSizeGb", "var.notes"] {
        assert_eq!(f.field(key).map(|f| f.default.clone()), Some(None), "{key} is offered empty");
    }
}

#[test]
fn props_found_ports_past_u16_and_numeric_hosts_give_no_link() {
    let access: Vec<AccessInfo> = serde_json::from_value(json!([
        {"access_protocol": "HTTP", "port_name": "http", "port_number": 4_294_967_295u32, "external_ips": ["203.0.113.10"]},
        {"access_protocol": "HTTP", "port_name": "http", "port_number": 31888, "external_ips": ["18446744073709551616"]},
        {"access_protocol": "SSH", "port_name": "ssh", "port_number": 22, "external_ips": ["1:2"]}]))
    .expect("the wire type reads it");
    let (links, details) = links(&access, "dev", "hangar-acme-ws");
    assert_eq!(links, vec![], "{details:?}");
    assert_eq!(ssh_endpoint(&access), None);
}

#[test]
fn props_found_a_blank_detail_string_is_no_message() {
    assert_eq!(problem(r#"{"detail": " "}"#), (None, None));
}
