//! Mage Pro's decoders fed hostile answers shaped like its contract (§3–§5 envelopes and the
//! workspace object, §7 the container_config YAML string, the sign-in answer, `error`
//! envelopes): never a panic, always a sensible workspace or form, or a typed error.

use proptest::prelude::*;
use serde_json::{json, Value};

use std::sync::Arc;

use super::client::{decode, require_name};
use super::errors::envelope_error;
use super::session::now_epoch;
use super::wire::WorkspaceList;
use super::*;
use crate::http::HttpSettings;
use crate::providers::prop_checks::{self, sensible_form, sensible_hardware, sensible_workspace, Call, OnDemo};
use crate::providers::prop_json::{
    any_value, check, mutated_list, mutated_one_of, mutated_text, mutated_text_one_of, odd_string,
};
use crate::secrets::{Credentials, MemoryStore};

const CASES: u32 = 256;
const DEMO_CASES: u32 = 96;
const STATUSES: [&str; 7] = ["RUNNING", "PENDING", "STOPPED", "FAILED", "UNAVAILABLE", "running", "CrashLoopBackOff"];
const CLUSTER_TYPES: [&str; 4] = ["k8s", "ecs", "cloud_run", "docker"];
const CONFIG: &str = "image_tag: 2026.06.16\nenv:\n  - name: ENV\n    value: test\nresources:\n  requests:\n    cpu: 500m\n    memory: 1Gi\n  limits: {cpu: \"1\", memory: 2Gi, nvidia.com/gpu: 1}\n";

fn workspace(status: &str) -> Value {
    json!({"name": "ws-one", "project_uuid": "6f1c", "namespace": "default",
      "lifecycle_config": {"termination_policy": {"enable_auto_termination": true, "max_idle_seconds": 1800},
                           "pre_start_script_path": null, "post_start": null},
      "instance": {"name": "ws-one-0", "type": "StatefulSet", "status": status, "ip": "10.0.0.7", "task_arn": null},
      "container_config": CONFIG, "ingress_name": "mage-ingress", "storage_access_mode": "ReadWriteOnce",
      "storage_class_name": "standard", "storage_request_size": 2, "url": "https://ws-one.mage.example/",
      "service_account_name": null})
}

fn workspaces() -> Vec<Value> {
    STATUSES.iter().map(|s| workspace(s)).collect()
}

fn envelopes() -> Vec<Value> {
    vec![
        json!({"error": {"code": 403, "message": "Only owners can create workspaces", "type": "unauthorized_access"}}),
        json!({"error": {"code": 500, "exception": "KeyError: 'x'", "message": "Traceback...\nKeyError: 'x'"}}),
        json!({"error": {"code": "404", "type": "record_not_found", "message": "Workspace not found"}}),
        json!({"error": {"code": 401, "type": "expired_oauth_token"}}),
        json!({"error": "plain text error"}),
    ]
}

fn mage() -> MagePro {
    MagePro::new(ProviderContext {
        account: Account {
            name: "acme".into(),
            provider: ProviderId::MagePro,
            base_url: Some("https://mage.example".into()),
            options: BTreeMap::new(),
        },
        credentials: Credentials::from_map(BTreeMap::from([
            ("api_key".to_string(), "zkWlN0PkIKSN0C11CfUHUj84OT5XOJ6tDZ6bDRO2".to_string()),
            ("oauth_token".to_string(), "4b1ebd62af56429a97254b15680fbc4a".to_string()),
        ])),
        secrets: Arc::new(MemoryStore::default()),
        http: HttpSettings::default(),
    })
    .expect("a Mage Pro provider")
}

fn sensible(w: &Workspace) -> Result<(), TestCaseError> {
    sensible_workspace(w, ProviderId::MagePro, "acme")
}

/// YAML-ish text: the contract's example bent line by line, odd strings, and nesting far
/// deeper than anyone writes (flow braces and block indents).
fn container_configs() -> BoxedStrategy<String> {
    let lines: Vec<String> = CONFIG.lines().map(str::to_string).collect();
    let bent = prop::collection::vec((any::<prop::sample::Index>(), odd_string()), 0..4).prop_map(move |edits| {
        let mut l = lines.clone();
        for (at, text) in edits {
            let i = at.index(l.len());
            l[i] = format!("{}{text}", &l[i][..l[i].find(':').map_or(0, |c| c + 1)]);
        }
        l.join("\n")
    });
    prop_oneof![
        6 => bent,
        2 => odd_string(),
        1 => (1usize..5_000).prop_map(|n| format!("resources: {}", "{a: ".repeat(n))),
        1 => (1usize..400).prop_map(|n| (0..n).map(|i| format!("{}k{i}:\n", " ".repeat(i))).collect()),
    ]
    .boxed()
}

#[test]
fn props_container_configs_read_to_sensible_hardware_and_update_forms() {
    check("mage container config", CASES, container_configs(), |text| {
        sensible_hardware(&container::to_hardware(Some(&text)))?;
        sensible_form(&form::update_form(Some(&text)))?;
        let _ = container::merge(Some(&text), &container::Wanted::default());
        Ok(())
    });
}

/// What `call` and `list`/`get` do with a body: the `error` envelope first, then the list.
#[test]
fn props_list_bodies_decode_to_sensible_workspaces_or_refusals() {
    let p = mage();
    let bodies = prop_oneof![
        3 => mutated_list("workspaces", workspaces(), json!({})).prop_map(|v| v.to_string()),
        1 => mutated_text_one_of(envelopes()),
    ];
    let cluster_type = prop::sample::select(CLUSTER_TYPES.to_vec());
    check("mage list body", CASES, (bodies, cluster_type, prop_checks::status()), |(body, cluster_type, status)| {
        let Ok(v) = serde_json::from_str::<Value>(&body) else { return Ok(()) };
        if let Some(refused) = envelope_error(Op::List, status, &v, "Mage Pro (GET /api/workspaces)", true) {
            return prop_checks::typed_error(&refused.error);
        }
        let list = match decode::<WorkspaceList>(v, "GET /api/workspaces") {
            Ok(l) => l,
            Err(e) => return prop_checks::typed_error(&e),
        };
        if let Err(e) = list.workspaces.iter().try_for_each(|w| require_name(w, "GET /api/workspaces")) {
            return prop_checks::typed_error(&e);
        }
        list.workspaces.into_iter().try_for_each(|w| sensible(&p.to_workspace(w, cluster_type)))
    });
}

#[test]
fn props_error_envelopes_map_to_typed_errors() {
    let bodies = prop_oneof![3 => mutated_one_of(envelopes()), 1 => any_value(100)];
    let ops = prop::sample::select(vec![Op::Statuses, Op::SignIn, Op::List, Op::Get, Op::Create, Op::Delete]);
    check(
        "mage error envelope",
        CASES,
        (bodies, ops, prop_checks::status(), any::<bool>()),
        |(v, op, status, login)| {
            if let Some(refused) = envelope_error(op, status, &v, "Mage Pro (GET /api/workspaces)", login) {
                prop_checks::typed_error(&refused.error)?;
            }
            Ok(())
        },
    );
}

/// Whatever a sign-in answers as its token, and whatever a user pastes.
#[test]
fn props_session_tokens_parse_without_panicking() {
    let payloads = prop_oneof![
        mutated_text(json!({"expires": 1_798_127_071.351, "token": "4b1ebd62af56429a97254b15680fbc4a"})),
        mutated_text(json!({"exp": "1700000000", "token": ""})),
    ];
    let jwts = payloads.prop_map(|p| {
        let b64 = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, p.as_bytes());
        format!("eyJhbGciOiJIUzI1NiJ9.{b64}.c2ln")
    });
    check("mage session token", CASES, prop_oneof![jwts, odd_string()], |text| {
        let t = auth::Token::parse(&text);
        prop_assert!(t.expires.is_none_or(|e| e >= 0), "an expiry before 1970");
        let _ = t.expired_at(now_epoch());
        Ok(())
    });
}

/// Through the HTTP layer: a demo Mage Pro whose one answer is hostile (the cluster's status,
/// the sign-in, the list, one workspace), with any status.
#[test]
fn props_hostile_answers_over_http_give_workspaces_forms_or_typed_errors() {
    let on = OnDemo::start(hangar_demo::mage_pro::start(hangar_demo::Timing::quick()), |d| d.cloud());
    let rows = on.block_on(on.connect().list()).expect("the demo lists");
    let name = rows.first().map(|w| w.id.clone()).expect("a demo workspace");
    let one = format!("/api/workspaces/{name}");
    let statuses =
        json!({"statuses": [{"instance_type": "k8s", "project_type": "main", "require_user_authentication": true}]});
    let session = json!({"session": {"token": "eyJhbGciOiJIUzI1NiJ9.eyJleHBpcmVzIjogMX0.c2ln",
                                     "user": {"username": "ada", "email": "ada@example.com", "owner": true}}});
    let calls = prop_oneof![
        (
            Just((Call::List, "/api/workspaces".to_string())),
            mutated_list("workspaces", workspaces(), json!({})).prop_map(|v| v.to_string())
        ),
        (
            Just((Call::Get(name.clone()), one)),
            mutated_text_one_of(workspaces().into_iter().map(|w| json!({"workspace": w})).collect())
        ),
        (Just((Call::CreateForm, "/api/statuses".to_string())), mutated_text(statuses)),
        (Just((Call::List, "/api/sessions".to_string())), mutated_text(session)),
        (Just((Call::List, "/api/workspaces".to_string())), mutated_text_one_of(envelopes())),
    ];
    check("mage over http", DEMO_CASES, (calls, prop_checks::status()), |(((call, at), body), status)| {
        on.answer(&on.demo.server, &at, status, &body, &call)
    });
}

// Regression tests for what the properties found, each with the exact input.

/// Before the fix this overflowed the stack: the whole process aborted.
#[test]
fn props_found_deeply_nested_flow_mappings_do_not_overflow_the_stack() {
    let text = format!("resources: {}", "{a: ".repeat(100_000));
    assert_eq!(container::to_hardware(Some(&text)), crate::model::Hardware::default());
    let text = format!("resources: {}cpu: 2{}", "{a: ".repeat(100_000), "}".repeat(100_000));
    assert_eq!(container::to_hardware(Some(&text)).cpus, None);
}

/// Before the fix this overflowed the stack: the whole process aborted.
#[test]
fn props_found_deeply_indented_block_mappings_do_not_overflow_the_stack() {
    let text: String = (0..3_000).map(|i| format!("{}k{i}:\n", " ".repeat(i))).collect();
    assert_eq!(container::to_hardware(Some(&text)), crate::model::Hardware::default());
}

#[test]
fn props_found_current_values_the_update_form_would_refuse_are_not_its_defaults() {
    let text = "image_tag: \"2026\\t06\"\nresources:\n  requests:\n    cpu: \"1\\t2\"\n    memory: 1Gi\n";
    let form = form::update_form(Some(text));
    sensible_form(&form).expect("the form accepts its own defaults");
    assert_eq!(form.field("memory_request").and_then(|f| f.default.as_deref()), Some("1Gi"));
    assert_eq!(form.field("image_tag").map(|f| f.default.clone()), Some(None));
}
