//! The create and update forms, built from what the console API offers for one cloud, and
//! the checks that run before any call (name rule, whole numbers, cross-field rules).

use crate::error::{Error, Result};
use crate::form::{Choice, Form, FormField, FormValues};

use super::wire::{Build, ComputeTemplate, InstanceType, NodeType, WireCloud, WireProject};

pub const CLOUD: &str = "cloud";
pub const PROJECT: &str = "project";
pub const COMPUTE_CONFIG: &str = "compute_config";
pub const HEAD_TYPE: &str = "head_instance_type";
pub const WORKER_TYPE: &str = "worker_instance_type";
pub const MAX_WORKERS: &str = "max_workers";
pub const BUILD: &str = "build";
pub const IMAGE_URI: &str = "image_uri";
pub const RAY_VERSION: &str = "ray_version";
pub const IDLE_MINUTES: &str = "idle_minutes";
pub const START_NOW: &str = "start_now";
pub const NAME: &str = "name";

/// `compute_config` value meaning "make an anonymous config from the hardware fields".
pub const INLINE: &str = "inline";
/// `build` value meaning "register the image in `image_uri`".
pub const CUSTOM_IMAGE: &str = "image_uri";
pub const NO_WORKERS: &str = "none";

pub const MAX_WORKER_NODES: u32 = 100;
pub const IDLE_RANGE: (u32, u32) = (5, 1440);
pub const DEFAULT_IDLE_MINUTES: u32 = 120;
/// What the 0.26.112 SDK asks for when no image is given.
pub const DEFAULT_PYTHON: &str = "py311";
pub const DEFAULT_RAY: &str = "2.59.0";
const PREFERRED_HEAD: &str = "m5.2xlarge";

/// Everything the create form shows, fetched for the chosen cloud.
pub struct Offer {
    pub clouds: Vec<WireCloud>,
    pub cloud_id: String,
    pub projects: Vec<WireProject>,
    pub computes: Vec<ComputeTemplate>,
    pub instance_types: Vec<InstanceType>,
    pub default_build: Option<Build>,
}

/// The name becomes an SSH `Host` alias, hence the backend's (and the SDK's) rule.
pub fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            NAME,
            format!("workspace name '{name}' may contain only letters, digits, '.', '_' and '-' (it becomes an SSH host alias)"),
        ))
    }
}

pub fn whole(values: &FormValues, key: &str, label: &str) -> Result<Option<u32>> {
    match values.number(key) {
        None => Ok(None),
        Some(n) if n.fract() == 0.0 && n >= 0.0 && n <= f64::from(u32::MAX) => Ok(Some(n as u32)),
        Some(n) => Err(Error::invalid(key, format!("{label} must be a whole number, not {n}"))),
    }
}

pub fn instance_detail(t: &InstanceType) -> String {
    let mut parts = vec![];
    if let Some(c) = t.cpu_count {
        parts.push(format!("{} CPU", trim_num(c)));
    }
    if let Some(m) = t.memory_in_gib {
        parts.push(format!("{} GiB", trim_num(m)));
    }
    match (&t.gpu_type, t.gpu_count) {
        (Some(g), Some(n)) if n > 0 && !g.is_empty() => parts.push(format!("{n}× {g}")),
        _ => parts.push("no GPU".into()),
    }
    parts.join(" · ")
}

pub fn trim_num(n: f64) -> String {
    if n.fract() == 0.0 {
        format!("{n:.0}")
    } else {
        format!("{n:.1}")
    }
}

fn has_gpu(t: &InstanceType) -> bool {
    t.gpu_count.unwrap_or(0) > 0
}

/// "head m5.2xlarge · workers 0–2 × g5.12xlarge", from a compute config's node types.
pub fn node_summary(head: Option<&NodeType>, workers: &[NodeType]) -> String {
    let mut parts = vec![];
    if let Some(t) = head.and_then(|h| h.instance_type.as_deref()) {
        parts.push(format!("head {t}"));
    }
    for w in workers {
        let t = w.instance_type.as_deref().unwrap_or(&w.name);
        parts.push(format!("workers {}–{} × {t}", w.min_workers.unwrap_or(0), w.max_workers.unwrap_or(0)));
    }
    if parts.is_empty() {
        "auto-selected nodes".into()
    } else {
        parts.join(" · ")
    }
}

pub fn create_form(offer: &Offer) -> Form {
    let clouds = offer
        .clouds
        .iter()
        .map(|c| {
            let detail = [c.provider.as_deref(), c.region.as_deref(), c.compute_stack.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · ");
            Choice::new(&c.id, &c.name).with_detail(detail)
        })
        .collect();
    let default_project = offer.projects.iter().find(|p| p.is_default == Some(true)).or(offer.projects.first());
    let mut fields = vec![
        FormField::choice(CLOUD, "Cloud", clouds).required().default_value(&offer.cloud_id),
        FormField::choice(PROJECT, "Project", offer.projects.iter().map(|p| Choice::new(&p.id, &p.name)).collect())
            .required()
            .default_value(default_project.map(|p| p.id.clone()).unwrap_or_default()),
    ];

    let mut computes: Vec<Choice> = vec![];
    let inline = !offer.instance_types.is_empty();
    if inline {
        computes.push(
            Choice::new(INLINE, "Custom (head and worker types below)")
                .with_detail("Registers an anonymous compute config for this workspace"),
        );
    }
    for c in &offer.computes {
        let cfg = c.config.clone().unwrap_or_default();
        let label = match (&c.name, c.version) {
            (Some(n), Some(v)) => format!("{n}:{v}"),
            (Some(n), None) => n.clone(),
            _ => c.id.clone(),
        };
        let workers = cfg.worker_node_types.unwrap_or_default();
        computes.push(Choice::new(&c.id, label).with_detail(node_summary(cfg.head_node_type.as_ref(), &workers)));
    }
    let default_compute = computes.first().map(|c| c.value.clone()).unwrap_or_default();
    fields.push(
        FormField::choice(COMPUTE_CONFIG, "Compute config", computes)
            .required()
            .default_value(default_compute)
            .help("A registered compute config, or a custom one from the types below")
            .group("hardware"),
    );

    if inline {
        let types: Vec<Choice> = offer
            .instance_types
            .iter()
            .map(|t| Choice::new(&t.name, &t.name).with_detail(instance_detail(t)))
            .collect();
        let head_default = offer
            .instance_types
            .iter()
            .find(|t| t.name == PREFERRED_HEAD)
            .or_else(|| offer.instance_types.iter().find(|t| !has_gpu(t)))
            .or(offer.instance_types.first())
            .map(|t| t.name.clone())
            .unwrap_or_default();
        let mut workers = vec![Choice::new(NO_WORKERS, "No worker nodes")];
        workers.extend(types.iter().cloned());
        fields.push(
            FormField::choice(HEAD_TYPE, "Head node type", types)
                .default_value(head_default)
                .help("Where the workspace's IDE and Ray head run (custom compute config only)")
                .group("hardware"),
        );
        fields.push(
            FormField::choice(WORKER_TYPE, "Worker node type", workers)
                .default_value(NO_WORKERS)
                .help("Ray autoscales workers of this type between 0 and the maximum (custom compute config only)")
                .group("hardware"),
        );
        fields.push(
            FormField::number(MAX_WORKERS, "Maximum worker nodes", 0.0, f64::from(MAX_WORKER_NODES))
                .default_value("0")
                .group("hardware"),
        );
    }

    let mut builds = vec![];
    if let Some(b) = &offer.default_build {
        let image =
            b.docker_image_name.clone().unwrap_or_else(|| format!("anyscale/ray:{DEFAULT_RAY}-{DEFAULT_PYTHON}"));
        builds.push(Choice::new(&b.id, "Default image").with_detail(image));
    }
    builds.push(
        Choice::new(CUSTOM_IMAGE, "Image URI (below)").with_detail("Any container image built on a Ray base image"),
    );
    let default_build = builds.first().map(|c| c.value.clone()).unwrap_or_default();
    fields.push(FormField::choice(BUILD, "Image", builds).required().default_value(default_build).group("image"));
    fields.push(
        FormField::text(IMAGE_URI, "Image URI")
            .help("e.g. docker.io/me/img:1 — used when Image is 'Image URI'")
            .group("image"),
    );
    fields.push(
        FormField::text(RAY_VERSION, "Ray version of the image")
            .default_value(DEFAULT_RAY)
            .help("Only for an image URI")
            .group("image"),
    );
    fields.push(
        FormField::number(IDLE_MINUTES, "Idle termination (minutes)", f64::from(IDLE_RANGE.0), f64::from(IDLE_RANGE.1))
            .default_value(DEFAULT_IDLE_MINUTES.to_string()),
    );
    fields.push(
        FormField::boolean(START_NOW, "Start now")
            .default_value("true")
            .help("Off: the workspace is created terminated; start it later"),
    );
    Form { fields }
}

pub fn update_form(name: &str, idle_minutes: Option<u32>) -> Form {
    Form {
        fields: vec![
            FormField::text(NAME, "Name").default_value(name).help("Letters, digits, '.', '_' and '-'"),
            FormField::number(
                IDLE_MINUTES,
                "Idle termination (minutes)",
                f64::from(IDLE_RANGE.0),
                f64::from(IDLE_RANGE.1),
            )
            .default_value(idle_minutes.unwrap_or(DEFAULT_IDLE_MINUTES).to_string()),
        ],
    }
}

/// What create sends, decided before any call.
#[derive(Debug, PartialEq)]
pub struct CreatePlan {
    pub cloud_id: String,
    pub project_id: String,
    pub compute: ComputePlan,
    pub image: ImagePlan,
    pub idle_minutes: u32,
    pub start_now: bool,
}

#[derive(Debug, PartialEq)]
pub enum ComputePlan {
    Registered(String),
    Inline { head: String, worker: Option<(String, u32)> },
}

#[derive(Debug, PartialEq)]
pub enum ImagePlan {
    Build(String),
    Uri { image_uri: String, ray_version: String },
}

pub fn plan(name: &str, values: &FormValues) -> Result<CreatePlan> {
    check_name(name)?;
    let required = |key: &str, label: &str| {
        values.get(key).map(str::to_string).ok_or_else(|| Error::invalid(key, format!("'{label}' is required")))
    };
    let cloud_id = required(CLOUD, "Cloud")?;
    let project_id = required(PROJECT, "Project")?;
    let max_workers = whole(values, MAX_WORKERS, "Maximum worker nodes")?.unwrap_or(0);
    let idle_minutes = whole(values, IDLE_MINUTES, "Idle termination (minutes)")?.unwrap_or(DEFAULT_IDLE_MINUTES);
    let compute = match required(COMPUTE_CONFIG, "Compute config")?.as_str() {
        INLINE => {
            let head = required(HEAD_TYPE, "Head node type")?;
            let worker = values.get(WORKER_TYPE).filter(|w| *w != NO_WORKERS);
            match worker {
                None if max_workers > 0 => {
                    return Err(Error::invalid(
                        WORKER_TYPE,
                        format!(
                            "choose a worker node type for up to {max_workers} worker nodes, or set the maximum to 0"
                        ),
                    ))
                }
                None => ComputePlan::Inline { head, worker: None },
                Some(w) => ComputePlan::Inline { head, worker: Some((w.to_string(), max_workers)) },
            }
        }
        id => ComputePlan::Registered(id.to_string()),
    };
    let image_uri = values.get(IMAGE_URI).map(str::trim).filter(|u| !u.is_empty());
    let image = match (required(BUILD, "Image")?.as_str(), image_uri) {
        (CUSTOM_IMAGE, Some(uri)) => {
            if uri.chars().any(char::is_whitespace) {
                return Err(Error::invalid(IMAGE_URI, format!("'{uri}' is not an image URI")));
            }
            let ray_version = values.get(RAY_VERSION).unwrap_or(DEFAULT_RAY).trim().to_string();
            let valid = ray_version.split('.').count() == 3
                && ray_version.split('.').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
            if !valid {
                return Err(Error::invalid(
                    RAY_VERSION,
                    format!("Ray version must look like 2.59.0, not '{ray_version}'"),
                ));
            }
            ImagePlan::Uri { image_uri: uri.to_string(), ray_version }
        }
        (CUSTOM_IMAGE, None) => {
            return Err(Error::invalid(IMAGE_URI, "enter the image URI, or pick the default image"))
        }
        (_, Some(_)) => {
            return Err(Error::invalid(IMAGE_URI, "an image URI is used only when Image is 'Image URI (below)'"))
        }
        (build, None) => ImagePlan::Build(build.to_string()),
    };
    Ok(CreatePlan {
        cloud_id,
        project_id,
        compute,
        image,
        idle_minutes,
        start_now: values.flag(START_NOW).unwrap_or(true),
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn offer() -> Offer {
        let cloud: WireCloud = serde_json::from_value(serde_json::json!({
            "id": "cld_abc123", "name": "my-cloud", "provider": "AWS", "region": "us-west-2", "is_default": true}))
        .unwrap();
        let project: WireProject =
            serde_json::from_value(serde_json::json!({"id": "prj_abc123", "name": "default", "is_default": true}))
                .unwrap();
        let types: Vec<InstanceType> = serde_json::from_value(serde_json::json!([
            {"name": "g5.12xlarge", "cpu_count": 48, "memory_in_gib": 192.0, "gpu_type": "A10G", "gpu_count": 4},
            {"name": "m5.2xlarge", "cpu_count": 8, "memory_in_gib": 32.0, "gpu_type": null, "gpu_count": 0}]))
        .unwrap();
        let build: Build = serde_json::from_value(
            serde_json::json!({"id": "bld_abc123", "docker_image_name": "anyscale/ray:2.59.0-py311"}),
        )
        .unwrap();
        Offer {
            clouds: vec![cloud],
            cloud_id: "cld_abc123".into(),
            projects: vec![project],
            computes: vec![],
            instance_types: types,
            default_build: Some(build),
        }
    }

    fn validate(pairs: &[(&str, &str)]) -> Result<FormValues> {
        let input: BTreeMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        create_form(&offer()).validate(&input)
    }

    #[test]
    fn defaults_make_an_inline_cpu_head_with_the_default_image() {
        let form = create_form(&offer());
        assert_eq!(form.field(HEAD_TYPE).unwrap().default.as_deref(), Some("m5.2xlarge"));
        let gpu = &form.field(WORKER_TYPE).unwrap().choices.as_ref().unwrap()[1];
        assert_eq!(gpu.detail.as_deref(), Some("48 CPU · 192 GiB · 4× A10G"));
        let p = plan("my-ws", &validate(&[]).unwrap()).unwrap();
        assert_eq!(p.compute, ComputePlan::Inline { head: "m5.2xlarge".into(), worker: None });
        assert_eq!(p.image, ImagePlan::Build("bld_abc123".into()));
        assert_eq!((p.idle_minutes, p.start_now), (120, true));
    }

    #[test]
    fn bad_values_name_their_field() {
        assert_eq!(validate(&[(MAX_WORKERS, "9999")]).unwrap_err().field(), Some(MAX_WORKERS));
        assert_eq!(validate(&[(IDLE_MINUTES, "2")]).unwrap_err().field(), Some(IDLE_MINUTES));
        assert_eq!(plan("bad name!", &validate(&[]).unwrap()).unwrap_err().field(), Some(NAME));
        let v = validate(&[(MAX_WORKERS, "2")]).unwrap();
        assert_eq!(plan("ok", &v).unwrap_err().field(), Some(WORKER_TYPE));
        let v = validate(&[(MAX_WORKERS, "1.5"), (WORKER_TYPE, "g5.12xlarge")]).unwrap();
        assert_eq!(plan("ok", &v).unwrap_err().field(), Some(MAX_WORKERS));
        let v = validate(&[(BUILD, CUSTOM_IMAGE)]).unwrap();
        assert_eq!(plan("ok", &v).unwrap_err().field(), Some(IMAGE_URI));
        let v = validate(&[(BUILD, CUSTOM_IMAGE), (IMAGE_URI, "docker.io/me/img:1"), (RAY_VERSION, "latest")]).unwrap();
        assert_eq!(plan("ok", &v).unwrap_err().field(), Some(RAY_VERSION));
    }

    #[test]
    fn image_uri_and_gpu_workers_plan() {
        let v = validate(&[
            (BUILD, CUSTOM_IMAGE),
            (IMAGE_URI, "docker.io/me/img:1"),
            (WORKER_TYPE, "g5.12xlarge"),
            (MAX_WORKERS, "2"),
            (START_NOW, "false"),
        ])
        .unwrap();
        let p = plan("my.ws_2", &v).unwrap();
        assert_eq!(
            p.compute,
            ComputePlan::Inline { head: "m5.2xlarge".into(), worker: Some(("g5.12xlarge".into(), 2)) }
        );
        assert_eq!(p.image, ImagePlan::Uri { image_uri: "docker.io/me/img:1".into(), ray_version: "2.59.0".into() });
        assert!(!p.start_now);
    }
}
