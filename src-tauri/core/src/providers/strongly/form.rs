//! The create and update forms. Strongly.ai publishes no catalog of sizes, GPU types or
//! images, so the wizard offers the documented environment types, a small preset table whose
//! values are only strings sent in `resources`, and free text checked as Kubernetes quantities.

use super::hardware::{check_quantity, gpu_count};
use super::wire::{CreateBody, Resources, WireProject};
use crate::error::{Error, Result};
use crate::form::{Choice, Form, FormField, FormValues, MAX_TEXT_LEN};

pub const ENVIRONMENT_TYPES: [(&str, &str); 4] =
    [("jupyter", "Jupyter"), ("vscode", "VS Code"), ("rstudio", "RStudio"), ("custom", "Custom image")];

pub const MAX_GPUS: f64 = 16.0;
const CUSTOM: &str = "custom";

pub struct Preset {
    pub key: &'static str,
    pub label: &'static str,
    pub cpu: &'static str,
    pub memory: &'static str,
    pub storage: &'static str,
    pub gpus: u32,
}

/// Small is the documented project default (2 CPU / 8 GB / 50 GB).
pub const PRESETS: [Preset; 3] = [
    Preset { key: "small", label: "Small", cpu: "2", memory: "8Gi", storage: "50Gi", gpus: 0 },
    Preset { key: "medium", label: "Medium", cpu: "4", memory: "16Gi", storage: "50Gi", gpus: 0 },
    Preset { key: "gpu", label: "GPU", cpu: "4", memory: "16Gi", storage: "50Gi", gpus: 1 },
];

pub fn create_form(projects: Option<Vec<WireProject>>) -> Form {
    let mut presets: Vec<Choice> = PRESETS
        .iter()
        .map(|p| {
            let gpu = if p.gpus > 0 { format!(" · {}× GPU", p.gpus) } else { String::new() };
            Choice::new(p.key, p.label)
                .with_detail(format!("{} CPU · {} memory{gpu} · {} disk", p.cpu, p.memory, p.storage))
        })
        .collect();
    presets.push(Choice::new(CUSTOM, "Custom").with_detail("Your own CPU, memory and disk"));
    let mut fields = vec![
        FormField::text("description", "Description").required().help("Strongly.ai requires a description"),
        FormField::choice(
            "environmentType",
            "Environment",
            ENVIRONMENT_TYPES.iter().map(|(v, l)| Choice::new(*v, *l)).collect(),
        )
        .required()
        .default_value("jupyter"),
        FormField::choice("preset", "Size", presets).required().default_value("small").group("hardware"),
        FormField::text("cpu", "CPU")
            .help("Kubernetes quantity, like 4 or 500m; required for the custom size, else overrides the preset")
            .group("hardware"),
        FormField::text("memory", "Memory")
            .help("Kubernetes quantity, like 16Gi; required for the custom size, else overrides the preset")
            .group("hardware"),
        FormField::text("storage", "Disk")
            .help("Kubernetes quantity, like 50Gi; overrides the preset")
            .group("hardware"),
        FormField::number("gpu", "GPUs", 0.0, MAX_GPUS)
            .help("Overrides the preset's GPU count; 0 for CPU only")
            .group("hardware"),
        FormField::text("gpuType", "GPU type")
            .help("As your Strongly.ai instance names it, like nvidia-a10g; required with GPUs")
            .group("hardware"),
        FormField::text("image", "Image").help("Container image; empty for the environment's default image"),
    ];
    if let Some(projects) = projects.filter(|p| !p.is_empty()) {
        let choices = projects
            .into_iter()
            .map(|p| {
                let label = p.name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| p.id.clone());
                Choice::new(p.id, label)
            })
            .collect();
        fields.push(FormField::choice("projectId", "Project", choices).help("Optional: the project to attach to"));
    }
    Form { fields }
}

/// The cross-field rules, checked before any call: a custom size needs CPU and memory, GPUs
/// need a GPU type, every quantity must be one Kubernetes accepts.
pub fn create_body(name: &str, values: &FormValues) -> Result<CreateBody> {
    let description =
        values.get("description").ok_or_else(|| Error::invalid("description", "Strongly.ai requires a description"))?;
    let environment_type =
        values.get("environmentType").ok_or_else(|| Error::invalid("environmentType", "choose an environment type"))?;
    let preset_key = values.get("preset").unwrap_or("small");
    let preset = PRESETS.iter().find(|p| p.key == preset_key);
    if preset.is_none() {
        for field in ["cpu", "memory"] {
            if values.get(field).is_none() {
                return Err(Error::invalid(field, format!("the custom size needs {field}; or pick a preset size")));
            }
        }
    }
    let resources = resources(values, preset, false)?;
    Ok(CreateBody {
        name: name.to_string(),
        description: description.to_string(),
        environment_type: environment_type.to_string(),
        image: values.get("image").map(str::to_string),
        resources: Some(resources),
        project_id: values.get("projectId").map(str::to_string),
    })
}

/// Resources from the form: typed values first, then the preset's. `zero_gpus_said` sends a
/// GPU count of 0 (an update removing GPUs) where a create leaves it out.
fn resources(values: &FormValues, preset: Option<&Preset>, zero_gpus_said: bool) -> Result<Resources> {
    let quantity = |field: &str, bytes: bool, preset_value: Option<&str>| -> Result<Option<String>> {
        match values.get(field) {
            Some(v) => match check_quantity(v, bytes) {
                Some(why) => Err(Error::invalid(field, why)),
                None => Ok(Some(v.to_string())),
            },
            None => Ok(preset_value.map(str::to_string)),
        }
    };
    let cpu = quantity("cpu", false, preset.map(|p| p.cpu))?;
    let memory = quantity("memory", true, preset.map(|p| p.memory))?;
    let storage = quantity("storage", true, preset.map(|p| p.storage))?;
    let gpus = match values.get("gpu") {
        Some(v) => gpu_count(v).ok_or_else(|| Error::invalid("gpu", format!("'{v}' is not a whole number of GPUs")))?,
        None => preset.map_or(0, |p| p.gpus),
    };
    let gpu_type = values.get("gpuType").map(str::to_string);
    if gpus > 0 && gpu_type.is_none() {
        return Err(Error::invalid(
            "gpuType",
            format!("{gpus} GPU(s) need a GPU type, like nvidia-a10g (Strongly.ai lists none; ask your admin)"),
        ));
    }
    Ok(Resources {
        cpu,
        memory,
        storage,
        // A CPU-only create leaves gpu out, as the contract asks.
        gpu: (gpus > 0 || zero_gpus_said).then(|| gpus.to_string()),
        gpu_type: gpu_type.filter(|_| gpus > 0),
    })
}

/// The resources a stopped workspace can be resized to, filled with what it has now.
pub fn update_form(current: Option<&Resources>) -> Form {
    let now = current.cloned().unwrap_or_default();
    // What the workspace has now, unless the form would refuse it as typed: then the user
    // types it afresh instead of correcting what they never wrote.
    let with_default = |field: FormField, value: Option<String>| match value
        .filter(|v| v.chars().count() <= MAX_TEXT_LEN && !v.chars().any(char::is_control))
    {
        Some(v) => field.default_value(v),
        None => field,
    };
    let gpus = now.gpu.as_deref().and_then(gpu_count).unwrap_or(0);
    Form {
        fields: vec![
            with_default(FormField::text("cpu", "CPU").help("Kubernetes quantity, like 4 or 500m"), now.cpu)
                .required()
                .group("hardware"),
            with_default(FormField::text("memory", "Memory").help("Kubernetes quantity, like 16Gi"), now.memory)
                .required()
                .group("hardware"),
            with_default(FormField::text("storage", "Disk").help("Kubernetes quantity, like 50Gi"), now.storage)
                .group("hardware"),
            // A workspace with more GPUs than a new one may ask for keeps them unless changed.
            FormField::number("gpu", "GPUs", 0.0, MAX_GPUS.max(f64::from(gpus)))
                .default_value(gpus.to_string())
                .group("hardware"),
            with_default(
                FormField::text("gpuType", "GPU type").help("Required with GPUs, like nvidia-a10g"),
                now.gpu_type,
            )
            .group("hardware"),
        ],
    }
}

pub fn update_resources(values: &FormValues) -> Result<Resources> {
    resources(values, None, true)
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

    fn body(pairs: &[(&str, &str)]) -> Result<CreateBody> {
        create_body("Training Environment", &values(&create_form(None), pairs)?)
    }

    #[test]
    fn the_gpu_preset_sends_the_documented_resources() {
        let b = body(&[
            ("description", "GPU-enabled workspace for model training"),
            ("preset", "gpu"),
            ("gpuType", "nvidia-a10g"),
        ])
        .unwrap();
        assert_eq!(b.environment_type, "jupyter", "jupyter is the default environment");
        let r = b.resources.unwrap();
        assert_eq!(
            (r.cpu.as_deref(), r.memory.as_deref(), r.gpu.as_deref(), r.gpu_type.as_deref(), r.storage.as_deref()),
            (Some("4"), Some("16Gi"), Some("1"), Some("nvidia-a10g"), Some("50Gi"))
        );
    }

    #[test]
    fn a_cpu_only_preset_leaves_gpu_out() {
        let r = body(&[("description", "d"), ("preset", "medium"), ("gpuType", "ignored")]).unwrap().resources.unwrap();
        assert_eq!((r.gpu, r.gpu_type), (None, None));
    }

    #[test]
    fn cross_field_rules_name_their_field() {
        let cases: [(&[(&str, &str)], &str); 6] = [
            (&[], "description"),
            (&[("description", "d"), ("gpu", "2")], "gpuType"),
            (&[("description", "d"), ("preset", "gpu")], "gpuType"),
            (&[("description", "d"), ("preset", "custom"), ("memory", "8Gi")], "cpu"),
            (&[("description", "d"), ("preset", "custom"), ("cpu", "2")], "memory"),
            (&[("description", "d"), ("memory", "16")], "memory"),
        ];
        for (input, field) in cases {
            let err = body(input).unwrap_err();
            assert_eq!(err.field(), Some(field), "{input:?} → {err}");
        }
        let err = body(&[("description", "d"), ("gpu", "1.5"), ("gpuType", "t4")]).unwrap_err();
        assert_eq!(err.field(), Some("gpu"), "{err}");
        let err = body(&[("description", "d"), ("gpu", "17")]).unwrap_err();
        assert_eq!(err.field(), Some("gpu"), "{err}");
        let err = body(&[("description", "d"), ("environmentType", "emacs")]).unwrap_err();
        assert_eq!(err.field(), Some("environmentType"), "{err}");
    }

    #[test]
    fn custom_values_override_and_projects_become_a_choice() {
        let form = create_form(Some(vec![WireProject { id: "proj_abc123".into(), name: Some("Fraud models".into()) }]));
        let v = values(
            &form,
            &[
                ("description", "d"),
                ("preset", "custom"),
                ("cpu", "500m"),
                ("memory", "512Mi"),
                ("projectId", "proj_abc123"),
            ],
        )
        .unwrap();
        let b = create_body("n", &v).unwrap();
        let r = b.resources.unwrap();
        assert_eq!((r.cpu.as_deref(), r.memory.as_deref(), r.storage), (Some("500m"), Some("512Mi"), None));
        assert_eq!(b.project_id.as_deref(), Some("proj_abc123"));
        assert!(create_form(Some(vec![])).field("projectId").is_none(), "no projects, no project field");
        assert!(create_form(None).field("projectId").is_none());
    }

    #[test]
    fn update_form_starts_from_the_current_resources() {
        let current = Resources {
            cpu: Some("4".into()),
            memory: Some("16Gi".into()),
            gpu: Some("1".into()),
            gpu_type: Some("nvidia-a10g".into()),
            storage: Some("50Gi".into()),
        };
        let form = update_form(Some(&current));
        let r = update_resources(&values(&form, &[("cpu", "8"), ("memory", "32Gi")]).unwrap()).unwrap();
        assert_eq!(r, Resources { cpu: Some("8".into()), memory: Some("32Gi".into()), ..current.clone() });
        let r = update_resources(&values(&form, &[("gpu", "0")]).unwrap()).unwrap();
        assert_eq!((r.gpu.as_deref(), r.gpu_type), (Some("0"), None), "removing GPUs says 0 GPUs");

        let cpu_only =
            update_form(Some(&Resources { cpu: Some("2".into()), memory: Some("8Gi".into()), ..Resources::default() }));
        let err = update_resources(&values(&cpu_only, &[("gpu", "2")]).unwrap()).unwrap_err();
        assert_eq!(err.field(), Some("gpuType"), "{err}");
        let err = values(&update_form(None), &[]).unwrap_err();
        assert_eq!(err.field(), Some("cpu"), "without current resources, CPU must be typed: {err}");
    }
}
