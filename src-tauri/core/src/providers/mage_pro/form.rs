//! The create and "Edit resources" forms (contract §7). Mage has no size catalogue: sizes are
//! Kubernetes requests/limits written into `container_config`, so the wizard offers Mage's
//! own presets and free quantities, checked before anything is sent.

use super::container::{self, check_quantity, parse_quantity, Wanted};
use super::wire::{CreateFields, LifecycleConfig, TerminationPolicy};
use crate::error::{Error, Result};
use crate::form::{Choice, Form, FormField, FormValues, MAX_TEXT_LEN};

pub struct Preset {
    pub key: &'static str,
    pub label: &'static str,
    pub cpu: &'static str,
    pub memory: &'static str,
}

/// The sizes Mage's own workspace wizard suggests.
pub const PRESETS: [Preset; 3] = [
    Preset { key: "small", label: "Small", cpu: "0.5", memory: "1Gi" },
    Preset { key: "medium", label: "Medium", cpu: "1", memory: "2Gi" },
    Preset { key: "large", label: "Large", cpu: "2", memory: "4Gi" },
];
const CUSTOM: &str = "custom";

pub const ACCESS_MODES: [(&str, &str); 3] = [
    ("ReadWriteOnce", "Read-write, one node"),
    ("ReadWriteMany", "Read-write, many nodes"),
    ("ReadOnlyMany", "Read-only, many nodes"),
];

pub const MAX_STORAGE_GIB: f64 = 65536.0;
/// A week; Mage sets no maximum, this only catches a slip of the keyboard.
pub const MAX_IDLE_SECONDS: f64 = 604_800.0;
/// Kubernetes resource names (DNS-1123 labels) are at most 63 characters.
pub const MAX_K8S_NAME: usize = 63;

/// (key, label, is memory) of the four quantity fields, in both forms.
const QUANTITIES: [(&str, &str, bool); 4] = [
    ("cpu_request", "CPU request", false),
    ("memory_request", "Memory request", true),
    ("cpu_limit", "CPU limit", false),
    ("memory_limit", "Memory limit", true),
];

/// Whether the cluster type takes a `container_config` (Kubernetes and Pro's Docker).
pub fn has_container(cluster_type: &str) -> bool {
    matches!(cluster_type, "k8s" | "docker")
}

pub fn create_form(cluster_type: &str) -> Form {
    let mut fields = vec![];
    if has_container(cluster_type) {
        let mut presets: Vec<Choice> = PRESETS
            .iter()
            .map(|p| Choice::new(p.key, p.label).with_detail(format!("{} CPU · {} memory", p.cpu, p.memory)))
            .collect();
        presets.push(Choice::new(CUSTOM, "Custom").with_detail("Your own requests and limits"));
        fields.push(
            FormField::choice("preset", "Size", presets).help("Empty: the cluster's default size").group("hardware"),
        );
        for (key, label, memory) in QUANTITIES {
            let example = if memory { "2Gi" } else { "1 or 500m" };
            fields.push(
                FormField::text(key, label)
                    .help(format!("Kubernetes quantity, like {example}; overrides the preset"))
                    .group("hardware"),
            );
        }
    }
    if cluster_type == "k8s" {
        fields.push(
            FormField::number("storage_request_size", "Storage (GiB)", 1.0, MAX_STORAGE_GIB)
                .help("Empty: the cluster's default volume size"),
        );
        fields.push(FormField::choice(
            "storage_access_mode",
            "Storage access mode",
            ACCESS_MODES.iter().map(|(v, l)| Choice::new(*v, *v).with_detail(*l)).collect(),
        ));
        fields.push(FormField::text("ingress_name", "Ingress name").help("Serve the workspace through this ingress"));
    }
    fields.push(FormField::boolean("enable_auto_termination", "Stop when idle"));
    fields.push(
        FormField::number("max_idle_seconds", "Idle seconds before stopping", 60.0, MAX_IDLE_SECONDS)
            .help("With \"Stop when idle\"; Mage's default is 1800"),
    );
    Form { fields }
}

/// Kubernetes names: lowercase letters, digits and hyphens, starting and ending alphanumeric.
pub fn check_name(name: &str, cluster_type: &str) -> Result<()> {
    if cluster_type == "k8s" {
        let ok = !name.is_empty()
            && name.len() <= MAX_K8S_NAME
            && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !name.starts_with('-')
            && !name.ends_with('-');
        if !ok {
            return Err(Error::invalid(
                "name",
                format!(
                    "'{name}' cannot name a Kubernetes workspace: use lowercase letters, digits and hyphens \
                     (at most {MAX_K8S_NAME}, not starting or ending with a hyphen), like 'team-notebooks'"
                ),
            ));
        }
    } else if name.is_empty() || name.chars().any(|c| c.is_whitespace() || c == '/') {
        return Err(Error::invalid("name", format!("'{name}' cannot name a workspace: no spaces or slashes")));
    }
    Ok(())
}

/// The typed quantities, each checked, and request ≤ limit.
fn quantities(values: &FormValues) -> Result<[Option<String>; 4]> {
    let mut out: [Option<String>; 4] = Default::default();
    for (slot, (key, label, memory)) in out.iter_mut().zip(QUANTITIES) {
        if let Some(v) = values.get(key) {
            if let Some(why) = check_quantity(v, memory) {
                return Err(Error::invalid(key, format!("{label}: {why}")));
            }
            *slot = Some(v.to_string());
        }
    }
    Ok(out)
}

fn check_request_below_limit(requests: &[(&'static str, String)], limits: &[(&'static str, String)]) -> Result<()> {
    for (key, request) in requests {
        let limit = limits.iter().find(|(k, _)| k == key).map(|(_, v)| v);
        if let (Some(r), Some(l)) = (parse_quantity(request), limit.and_then(|l| parse_quantity(l))) {
            if r > l {
                return Err(Error::invalid(
                    format!("{key}_limit"),
                    format!("the {key} limit ({}) is below its request ({request})", limit.map_or("", |s| s)),
                ));
            }
        }
    }
    Ok(())
}

/// The `container_config` for a create, or `None` for the cluster's default size.
fn create_container(values: &FormValues) -> Result<Option<String>> {
    let [cpu_req, mem_req, cpu_lim, mem_lim] = quantities(values)?;
    let preset = match values.get("preset") {
        Some(CUSTOM) => {
            if cpu_req.is_none() && cpu_lim.is_none() {
                return Err(Error::invalid("cpu_request", "the custom size needs a CPU request or limit"));
            }
            if mem_req.is_none() && mem_lim.is_none() {
                return Err(Error::invalid("memory_request", "the custom size needs a memory request or limit"));
            }
            None
        }
        Some(key) => PRESETS.iter().find(|p| p.key == key),
        None => None,
    };
    let pick = |typed: Option<String>, preset_value: Option<&str>| typed.or_else(|| preset_value.map(str::to_string));
    let mut wanted = Wanted::default();
    for (key, value) in
        [("cpu", pick(cpu_req, preset.map(|p| p.cpu))), ("memory", pick(mem_req, preset.map(|p| p.memory)))]
    {
        if let Some(v) = value {
            wanted.requests.push((key, v));
        }
    }
    for (key, value) in
        [("cpu", pick(cpu_lim, preset.map(|p| p.cpu))), ("memory", pick(mem_lim, preset.map(|p| p.memory)))]
    {
        if let Some(v) = value {
            wanted.limits.push((key, v));
        }
    }
    check_request_below_limit(&wanted.requests, &wanted.limits)?;
    Ok((!wanted.requests.is_empty() || !wanted.limits.is_empty()).then(|| container::merge(None, &wanted)))
}

fn lifecycle(values: &FormValues) -> Option<LifecycleConfig> {
    let enable = values.flag("enable_auto_termination");
    let idle = values.number("max_idle_seconds").map(|n| n.round() as u64);
    (enable.is_some() || idle.is_some()).then(|| LifecycleConfig {
        termination_policy: Some(TerminationPolicy {
            // Idle seconds alone mean the user wants idle workspaces stopped.
            enable_auto_termination: enable.or(idle.map(|_| true)),
            max_idle_seconds: idle,
        }),
        ..LifecycleConfig::default()
    })
}

/// Every cross-field rule, checked before any call.
pub fn create_fields(name: &str, cluster_type: &str, values: &FormValues) -> Result<CreateFields> {
    check_name(name, cluster_type)?;
    if values.flag("enable_auto_termination") == Some(false) && values.get("max_idle_seconds").is_some() {
        return Err(Error::invalid(
            "max_idle_seconds",
            "idle seconds only apply when \"Stop when idle\" is on; turn it on or leave the seconds empty",
        ));
    }
    let storage = values.number("storage_request_size");
    if storage.is_some_and(|s| s.fract() != 0.0) {
        return Err(Error::invalid("storage_request_size", "storage is a whole number of GiB"));
    }
    Ok(CreateFields {
        name: name.to_string(),
        cluster_type: cluster_type.to_string(),
        container_config: if has_container(cluster_type) { create_container(values)? } else { None },
        storage_request_size: storage.map(|s| s as u64),
        storage_access_mode: values.get("storage_access_mode").map(str::to_string),
        ingress_name: values.get("ingress_name").map(str::to_string),
        lifecycle_config: lifecycle(values),
    })
}

/// Whether the form takes `value` as typed; a current value it would refuse is not offered,
/// so the user types it afresh instead of correcting what they never wrote.
fn fits(value: &str) -> bool {
    value.chars().count() <= MAX_TEXT_LEN && !value.chars().any(char::is_control)
}

/// "Edit resources", filled with what the workspace's container_config says now.
pub fn update_form(container_config: Option<&str>) -> Form {
    let doc = container::parse(container_config.unwrap_or(""));
    let now = container::resources(&doc);
    let current = [now.cpu_request, now.memory_request, now.cpu_limit, now.memory_limit];
    let mut fields: Vec<FormField> = QUANTITIES
        .iter()
        .zip(current)
        .map(|((key, label, memory), value)| {
            let example = if *memory { "2Gi" } else { "1 or 500m" };
            let field =
                FormField::text(key, label).help(format!("Kubernetes quantity, like {example}")).group("hardware");
            match value.filter(|v| fits(v)) {
                Some(v) => field.default_value(v),
                None => field,
            }
        })
        .collect();
    let tag = FormField::text("image_tag", "Image tag").help("Mage Pro: the workspace image's tag, like 2026.06.16");
    fields.push(match container::image_tag(&doc).filter(|t| fits(t)) {
        Some(t) => tag.default_value(t),
        None => tag,
    });
    Form { fields }
}

/// What an update asks for, checked without any call.
pub fn update_wanted(values: &FormValues) -> Result<Wanted> {
    let [cpu_req, mem_req, cpu_lim, mem_lim] = quantities(values)?;
    let image_tag = values.get("image_tag").map(str::to_string);
    if let Some(t) = &image_tag {
        if t.chars().any(|c| c.is_whitespace() || c == '"' || c == '\'') {
            return Err(Error::invalid("image_tag", format!("'{t}' is not an image tag (no spaces or quotes)")));
        }
    }
    let pairs = |cpu: Option<String>, memory: Option<String>| -> Vec<(&'static str, String)> {
        [("cpu", cpu), ("memory", memory)].into_iter().filter_map(|(k, v)| Some((k, v?))).collect()
    };
    let wanted = Wanted { requests: pairs(cpu_req, mem_req), limits: pairs(cpu_lim, mem_lim), image_tag };
    if wanted.requests.is_empty() && wanted.limits.is_empty() && wanted.image_tag.is_none() {
        return Err(Error::invalid("cpu_request", "nothing to change: give a CPU or memory request or limit"));
    }
    check_request_below_limit(&wanted.requests, &wanted.limits)?;
    Ok(wanted)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn values(form: &Form, pairs: &[(&str, &str)]) -> Result<FormValues> {
        let input: BTreeMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        form.validate(&input)
    }

    fn create(name: &str, pairs: &[(&str, &str)]) -> Result<CreateFields> {
        create_fields(name, "k8s", &values(&create_form("k8s"), pairs)?)
    }

    #[test]
    fn presets_write_requests_and_limits() {
        let f = create("alpha", &[("preset", "medium")]).unwrap();
        assert_eq!(
            f.container_config.as_deref(),
            Some("resources:\n  requests:\n    cpu: \"1\"\n    memory: \"2Gi\"\n  limits:\n    cpu: \"1\"\n    memory: \"2Gi\"\n")
        );
        let f = create("alpha", &[("preset", "small"), ("cpu_limit", "1")]).unwrap();
        let r = container::resources(&container::parse(f.container_config.as_deref().unwrap()));
        assert_eq!((r.cpu_request.as_deref(), r.cpu_limit.as_deref()), (Some("0.5"), Some("1")));
        let f = create("alpha", &[]).unwrap();
        assert_eq!(f.container_config, None, "no preset: the cluster's default");
        assert_eq!(f.lifecycle_config, None);
    }

    #[test]
    fn the_full_wizard_makes_the_documented_body() {
        let f = create(
            "alpha",
            &[
                ("preset", "large"),
                ("storage_request_size", "5"),
                ("storage_access_mode", "ReadWriteOnce"),
                ("ingress_name", "my-ingress"),
                ("enable_auto_termination", "true"),
                ("max_idle_seconds", "1800"),
            ],
        )
        .unwrap();
        let body = serde_json::to_value(super::super::wire::Wrapped { workspace: f }).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"workspace": {
                "name": "alpha", "cluster_type": "k8s",
                "container_config": "resources:\n  requests:\n    cpu: \"2\"\n    memory: \"4Gi\"\n  limits:\n    cpu: \"2\"\n    memory: \"4Gi\"\n",
                "storage_request_size": 5, "storage_access_mode": "ReadWriteOnce", "ingress_name": "my-ingress",
                "lifecycle_config": {"termination_policy": {"enable_auto_termination": true, "max_idle_seconds": 1800}},
            }})
        );
    }

    #[test]
    fn bad_input_names_its_field() {
        type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);
        let cases: [Case; 11] = [
            ("Alpha", &[], "name"),
            ("my_ws", &[], "name"),
            ("-alpha", &[], "name"),
            ("alpha", &[("preset", "custom")], "cpu_request"),
            ("alpha", &[("preset", "custom"), ("cpu_request", "1")], "memory_request"),
            ("alpha", &[("memory_request", "2")], "memory_request"),
            ("alpha", &[("cpu_limit", "2 cores")], "cpu_limit"),
            ("alpha", &[("cpu_request", "2"), ("cpu_limit", "1")], "cpu_limit"),
            ("alpha", &[("storage_request_size", "2.5")], "storage_request_size"),
            ("alpha", &[("storage_access_mode", "ReadWriteSome")], "storage_access_mode"),
            ("alpha", &[("enable_auto_termination", "false"), ("max_idle_seconds", "600")], "max_idle_seconds"),
        ];
        for (name, input, field) in cases {
            let err = create(name, input).unwrap_err();
            assert_eq!(err.field(), Some(field), "{name} {input:?} → {err}");
        }
        let long = "a".repeat(64);
        assert_eq!(create(&long, &[]).unwrap_err().field(), Some("name"));
        assert!(create(&"a".repeat(63), &[]).is_ok());
        assert!(
            create_fields("My_WS", "ecs", &values(&create_form("ecs"), &[]).unwrap()).is_ok(),
            "ECS names are freer"
        );
    }

    #[test]
    fn other_cluster_types_get_only_what_they_take() {
        assert!(create_form("ecs").field("preset").is_none());
        assert!(create_form("ecs").field("ingress_name").is_none());
        assert!(create_form("docker").field("preset").is_some());
        assert!(create_form("docker").field("storage_request_size").is_none());
        assert!(create_form("k8s").field("ingress_name").is_some());
    }

    #[test]
    fn update_starts_from_the_current_config_and_keeps_the_rest() {
        let current = "env:\n  - name: ENV\n    value: test\nresources:\n  limits:\n    cpu: 1\n";
        let form = update_form(Some(current));
        assert_eq!(form.field("cpu_limit").and_then(|f| f.default.as_deref()), Some("1"));
        assert_eq!(form.field("cpu_request").and_then(|f| f.default.as_deref()), None);
        let v = values(
            &form,
            &[("cpu_request", "1"), ("memory_request", "2Gi"), ("cpu_limit", "2"), ("memory_limit", "4Gi")],
        )
        .unwrap();
        let yaml = container::merge(Some(current), &update_wanted(&v).unwrap());
        assert!(yaml.starts_with("env:\n  - name: ENV\n    value: test\n"), "{yaml}");
        let r = container::resources(&container::parse(&yaml));
        assert_eq!(
            (r.cpu_request.as_deref(), r.memory_request.as_deref(), r.cpu_limit.as_deref(), r.memory_limit.as_deref()),
            (Some("1"), Some("2Gi"), Some("2"), Some("4Gi"))
        );
        let v = values(&form, &[("image_tag", "2026.06.16")]).unwrap();
        assert!(container::merge(Some(current), &update_wanted(&v).unwrap()).ends_with("image_tag: \"2026.06.16\"\n"));

        let empty = update_form(None);
        let err = update_wanted(&values(&empty, &[]).unwrap()).unwrap_err();
        assert_eq!(err.field(), Some("cpu_request"), "{err}");
        let err = update_wanted(&values(&empty, &[("memory_limit", "4GB")]).unwrap()).unwrap_err();
        assert_eq!(err.field(), Some("memory_limit"), "{err}");
        let err = update_wanted(&values(&empty, &[("image_tag", "a b")]).unwrap()).unwrap_err();
        assert_eq!(err.field(), Some("image_tag"), "{err}");
    }
}
