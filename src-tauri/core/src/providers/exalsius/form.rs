//! The create wizard: a READY cluster, a template (with its variables), and hardware bounded by
//! what the cluster's nodes have free (contract §6). A workspace runs on one node, so every
//! limit is "on one node", and the combination must fit one node together.

use std::collections::BTreeMap;

use serde_json::{Map, Number, Value};

use super::wire::{HardwareRequest, NodeResources, WireCluster, WireTemplate};
use crate::error::{Error, Result};
use crate::form::{Choice, Form, FormField, FormValues, MAX_TEXT_LEN};

pub const CLUSTER: &str = "cluster";
pub const TEMPLATE: &str = "template";
pub const GPU_TYPE: &str = "gpu_type";
pub const GPU_COUNT: &str = "gpu_count";
pub const CPU: &str = "cpu_cores";
pub const MEMORY: &str = "memory_gb";
pub const STORAGE: &str = "storage_gb";
pub const DESCRIPTION: &str = "description";
/// Template variables appear as `var.<name>` fields.
pub const VAR_PREFIX: &str = "var.";
/// The GPU type choice for nodes without GPUs.
pub const NO_GPU: &str = "none";

pub const PREFERRED_TEMPLATE: &str = "jupyter-notebook-template";
/// Kept exactly as the server sent them; the CLI hides them too (contract §6.3).
const HIDDEN_VARIABLES: [&str; 2] = ["global", "deploymentNumReplicas"];
/// Variables the CLI insists on, per template (contract §6.3).
const REQUIRED_VARIABLES: [(&str, &str); 2] =
    [("jupyter-notebook-template", "notebookPassword"), ("marimo-workspace-template", "tokenPassword")];
const SSH_TEMPLATE: &str = "vscode-devcontainer-template";
const SSH_VARIABLES: [&str; 2] = ["sshPassword", "sshPublicKey"];
const NUMBER_RANGE: (f64, f64) = (-1e12, 1e12);

/// One node's free capacity, in whole units.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub name: String,
    pub gpu_type: Option<String>,
    pub gpu_vendor: Option<String>,
    pub gpu_memory: Option<u32>,
    pub gpus: u32,
    pub cpu: u32,
    pub memory: u32,
    pub storage: u32,
}

fn whole(v: Option<f64>) -> u32 {
    v.filter(|v| v.is_finite() && *v > 0.0).map(|v| v.floor().min(f64::from(u32::MAX)) as u32).unwrap_or(0)
}

/// Nodes with room for a workspace: at least one core, one GB of memory and one of storage.
pub fn nodes(resources: &[NodeResources]) -> Vec<Node> {
    resources
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let a = r.available.as_ref()?;
            let gpus = whole(a.gpu_count);
            Some(Node {
                name: r.node_name.clone().or_else(|| r.node_id.clone()).unwrap_or_else(|| format!("node {}", i + 1)),
                gpu_type: a.gpu_type.clone().filter(|t| !t.trim().is_empty() && gpus > 0),
                gpu_vendor: a.gpu_vendor.as_ref().map(|v| v.to_uppercase()).filter(|v| !v.trim().is_empty()),
                gpu_memory: a.gpu_memory.map(|m| whole(Some(m))).filter(|m| *m > 0),
                gpus,
                cpu: whole(a.cpu_cores),
                memory: whole(a.memory_gb),
                storage: whole(a.storage_gb),
            })
        })
        .filter(|n| n.cpu > 0 && n.memory > 0 && n.storage > 0)
        .collect()
}

/// What the wizard offers: READY clusters, the catalogue, and the chosen cluster's free nodes.
#[derive(Debug, Clone)]
pub struct Offer {
    pub clusters: Vec<WireCluster>,
    pub cluster_id: String,
    pub templates: Vec<WireTemplate>,
    pub nodes: Vec<Node>,
}

impl Offer {
    fn cluster_name(&self) -> &str {
        self.clusters
            .iter()
            .find(|c| c.id.as_deref() == Some(&self.cluster_id))
            .map(|c| c.name.as_str())
            .unwrap_or(&self.cluster_id)
    }

    fn template(&self, selected: Option<&str>) -> Option<&WireTemplate> {
        selected
            .and_then(|s| self.templates.iter().find(|t| t.name == s))
            .or_else(|| self.templates.iter().find(|t| t.name == PREFERRED_TEMPLATE))
            .or(self.templates.first())
    }

    /// Distinct GPU types in node order, with the most free on one node.
    fn gpu_types(&self) -> Vec<(String, &Node, u32)> {
        let mut out: Vec<(String, &Node, u32)> = vec![];
        for n in &self.nodes {
            let Some(t) = &n.gpu_type else { continue };
            match out.iter_mut().find(|(k, _, _)| k == t) {
                Some(entry) => entry.2 = entry.2.max(n.gpus),
                None => out.push((t.clone(), n, n.gpus)),
            }
        }
        out
    }

    fn has_cpu_only_nodes(&self) -> bool {
        self.nodes.iter().any(|n| n.gpus == 0)
    }

    /// The GPU type picked (or the first), `None` when the cluster has no GPU at all.
    fn gpu_type(&self, selected: Option<&str>) -> Option<String> {
        let types = self.gpu_types();
        if types.is_empty() {
            return None;
        }
        let valid = |s: &str| types.iter().any(|(t, _, _)| t == s) || (s == NO_GPU && self.has_cpu_only_nodes());
        Some(selected.filter(|s| valid(s)).map(str::to_string).unwrap_or_else(|| types[0].0.clone()))
    }

    /// The nodes a workspace of this GPU type can land on.
    fn candidates(&self, gpu_type: Option<&str>) -> Vec<&Node> {
        self.nodes
            .iter()
            .filter(|n| match gpu_type {
                None => true,
                Some(NO_GPU) => n.gpus == 0,
                Some(t) => n.gpu_type.as_deref() == Some(t),
            })
            .collect()
    }
}

fn max_of(nodes: &[&Node], f: impl Fn(&Node) -> u32) -> u32 {
    nodes.iter().map(|n| f(n)).max().unwrap_or(0)
}

/// The CLI's sizing (contract §6.2): a share of the first node that fits, proportional to the
/// GPUs asked for; a whole node keeps 10 % (at least 1 core) and 10 GB of storage back.
pub fn default_size(nodes: &[&Node], gpus: u32) -> (u32, u32, u32) {
    let fits = |n: &&&Node| n.gpus >= gpus && n.cpu >= 2 && n.memory >= 10 && n.storage >= 20;
    let Some(n) = nodes.iter().find(fits) else {
        return (1, 1, 1);
    };
    if gpus == 0 {
        return (n.cpu.min(2), n.memory.min(8), n.storage.min(50));
    }
    if gpus < n.gpus {
        let share = |x: u32| ((u64::from(x) * u64::from(gpus)) / u64::from(n.gpus)).max(1) as u32;
        return (share(n.cpu), share(n.memory), share(n.storage));
    }
    (
        n.cpu.saturating_sub((n.cpu / 10).max(1)).max(1),
        n.memory.saturating_sub((n.memory / 10).max(1)).max(1),
        n.storage.saturating_sub(n.storage / 10 + 10).max(1),
    )
}

/// Top-level variables a user can set: scalars, minus the ones kept as received.
fn exposed(variables: Option<&Map<String, Value>>) -> Vec<(&str, &Value)> {
    variables
        .map(|m| {
            m.iter()
                .filter(|(k, v)| !HIDDEN_VARIABLES.contains(&k.as_str()) && !v.is_object() && !v.is_array())
                .map(|(k, v)| (k.as_str(), v))
                .collect()
        })
        .unwrap_or_default()
}

fn required_variable(template: &str, variable: &str) -> bool {
    REQUIRED_VARIABLES.contains(&(template, variable))
}

pub fn create_form(offer: &Offer, selected: &BTreeMap<String, String>) -> Result<Form> {
    let pick = |k: &str| selected.get(k).map(String::as_str);
    let name = offer.cluster_name().to_string();
    if offer.nodes.is_empty() {
        return Err(Error::invalid(CLUSTER, format!("cluster '{name}' reports no node with free capacity")));
    }
    let clusters: Vec<Choice> = offer
        .clusters
        .iter()
        .filter_map(|c| {
            let facts: Vec<&str> =
                [c.cluster_type.as_deref(), c.k8s_version.as_deref()].into_iter().flatten().collect();
            let choice = Choice::new(c.id.as_deref()?, &c.name);
            Some(if facts.is_empty() { choice } else { choice.with_detail(facts.join(" · ")) })
        })
        .collect();
    let mut fields = vec![FormField::choice(CLUSTER, "Cluster", clusters)
        .required()
        .default_value(&offer.cluster_id)
        .help("Only READY clusters can host a workspace")
        .group("placement")];

    let template = offer.template(pick(TEMPLATE));
    let templates: Vec<Choice> = offer
        .templates
        .iter()
        .map(|t| {
            let c = Choice::new(&t.name, &t.name);
            match t.description.as_deref().filter(|d| !d.trim().is_empty()) {
                Some(d) => c.with_detail(d),
                None => c,
            }
        })
        .collect();
    let mut template_field = FormField::choice(TEMPLATE, "Template", templates).required().group("placement");
    if let Some(t) = template {
        template_field = template_field.default_value(&t.name);
    }
    fields.push(template_field);

    let gpu_type = offer.gpu_type(pick(GPU_TYPE));
    if let Some(chosen) = &gpu_type {
        let mut choices: Vec<Choice> = offer
            .gpu_types()
            .into_iter()
            .map(|(t, n, most)| {
                let mut facts: Vec<String> = vec![];
                if let Some(v) = &n.gpu_vendor {
                    facts.push(v.clone());
                }
                if let Some(m) = n.gpu_memory {
                    facts.push(format!("{m} GB"));
                }
                facts.push(format!("up to {most} free on one node"));
                Choice::new(&t, &t).with_detail(facts.join(" · "))
            })
            .collect();
        if offer.has_cpu_only_nodes() {
            choices.push(Choice::new(NO_GPU, "No GPU").with_detail("A node without GPUs"));
        }
        fields
            .push(FormField::choice(GPU_TYPE, "GPU type", choices).required().default_value(chosen).group("hardware"));
    }
    let candidates = offer.candidates(gpu_type.as_deref());
    let max_gpus = max_of(&candidates, |n| n.gpus);
    let wanted = pick(GPU_COUNT)
        .and_then(|v| v.trim().parse::<u32>().ok())
        .filter(|g| *g <= max_gpus)
        .unwrap_or(max_gpus.min(1));
    let (cpu, memory, storage) = default_size(&candidates, wanted);
    let limit = |key: &str, label: &str, max: u32, default: u32, min: u32, unit: &str| {
        FormField::number(key, label, f64::from(min), f64::from(max))
            .required()
            .default_value(default.min(max).max(min).to_string())
            .help(format!("At most {max}{unit} free on one node of cluster '{name}'"))
            .group("hardware")
    };
    fields.push(limit(GPU_COUNT, "GPUs", max_gpus, max_gpus.min(1), 0, ""));
    fields.push(limit(CPU, "CPU cores", max_of(&candidates, |n| n.cpu), cpu, 1, ""));
    fields.push(limit(MEMORY, "Memory (GB)", max_of(&candidates, |n| n.memory), memory, 1, " GB"));
    fields.push(limit(STORAGE, "Storage (GB)", max_of(&candidates, |n| n.storage), storage, 1, " GB"));
    fields.push(FormField::text(DESCRIPTION, "Description"));

    if let Some(t) = template {
        for (key, default) in exposed(t.variables.as_ref()) {
            let field_key = format!("{VAR_PREFIX}{key}");
            let help = format!("Variable of template {}", t.name);
            // A default the form itself would refuse is left out: untouched, the variable is
            // sent as the server gave it.
            let in_range = |n: f64| (NUMBER_RANGE.0..=NUMBER_RANGE.1).contains(&n);
            let fits = |s: &str| s.chars().count() <= MAX_TEXT_LEN && !s.chars().any(char::is_control);
            let mut field = match default {
                Value::Bool(b) => FormField::boolean(&field_key, key).default_value(b.to_string()),
                Value::Number(n) => {
                    let field = FormField::number(&field_key, key, NUMBER_RANGE.0, NUMBER_RANGE.1);
                    match n.as_f64().filter(|v| in_range(*v)) {
                        Some(_) => field.default_value(n.to_string()),
                        None => field,
                    }
                }
                Value::String(s) if !s.is_empty() && fits(s) => FormField::text(&field_key, key).default_value(s),
                _ => FormField::text(&field_key, key),
            };
            if required_variable(&t.name, key) {
                field = field.required();
            }
            fields.push(field.help(help).group("template"));
        }
    }
    Ok(Form { fields })
}

/// What create sends, decided before any call.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub cluster_id: String,
    pub template: String,
    pub variables: Map<String, Value>,
    pub resources: HardwareRequest,
    pub description: Option<String>,
}

fn count(values: &FormValues, key: &str, label: &str) -> Result<u32> {
    let n = values.number(key).unwrap_or(0.0);
    if n.fract() != 0.0 || n < 0.0 || n > f64::from(u32::MAX) {
        return Err(Error::invalid(key, format!("{label}: {n} is not a whole number")));
    }
    Ok(n as u32)
}

/// One dimension of a node's free capacity.
type Measure = fn(&Node) -> u32;

/// Checks that the hardware fits one node together and fills in the template's variables.
pub fn plan(values: &FormValues, offer: &Offer) -> Result<Plan> {
    let template = offer
        .template(values.get(TEMPLATE))
        .filter(|t| values.get(TEMPLATE).is_none_or(|v| v == t.name))
        .ok_or_else(|| Error::invalid(TEMPLATE, "choose one of the templates this account offers"))?;
    let gpus = count(values, GPU_COUNT, "GPUs")?;
    let cpu = count(values, CPU, "CPU cores")?;
    let memory = count(values, MEMORY, "Memory (GB)")?;
    let storage = count(values, STORAGE, "Storage (GB)")?;
    let gpu_type = values.get(GPU_TYPE);
    if gpus > 0 && gpu_type == Some(NO_GPU) {
        return Err(Error::invalid(GPU_TYPE, format!("choose a GPU type for {gpus} GPUs, or ask for 0 GPUs")));
    }
    let cluster = offer.cluster_name().to_string();
    let mut fit = offer.candidates(gpu_type);
    let with_gpus = match (gpus, gpu_type) {
        (0, _) => String::new(),
        (g, Some(t)) => format!(" with {g} free {t} GPUs"),
        (g, None) => format!(" with {g} free GPUs"),
    };
    let steps: [(&str, &str, u32, Measure); 4] = [
        (GPU_COUNT, "GPUs", gpus, |n| n.gpus),
        (CPU, "CPU cores", cpu, |n| n.cpu),
        (MEMORY, "GB of memory", memory, |n| n.memory),
        (STORAGE, "GB of storage", storage, |n| n.storage),
    ];
    for (i, (key, label, want, get)) in steps.into_iter().enumerate() {
        let next: Vec<&Node> = fit.iter().copied().filter(|n| get(n) >= want).collect();
        if next.is_empty() {
            let most = max_of(&fit, get);
            let qualifier = if i == 0 { String::new() } else { with_gpus.clone() };
            return Err(Error::invalid(
                key,
                format!(
                    "{want} {label} is more than is free: at most {most} on one node of cluster '{cluster}'{qualifier}"
                ),
            ));
        }
        fit = next;
    }
    let node = fit[0];
    let resources = HardwareRequest {
        gpu_count: gpus,
        gpu_vendor: node.gpu_vendor.clone().filter(|_| gpus > 0),
        gpu_type: node.gpu_type.clone().filter(|_| gpus > 0),
        cpu_cores: cpu,
        memory_gb: memory,
        storage_gb: storage,
    };

    let mut variables = template.variables.clone().unwrap_or_default();
    let defaults: Vec<(String, Value)> =
        exposed(template.variables.as_ref()).into_iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    for (key, default) in defaults {
        let field = format!("{VAR_PREFIX}{key}");
        let Some(given) = values.get(&field) else { continue };
        let value = match default {
            Value::Bool(_) => Value::Bool(values.flag(&field).unwrap_or(false)),
            Value::Number(n) => {
                let int = if n.is_f64() { None } else { given.trim().parse::<i64>().ok() };
                match int {
                    Some(i) => Value::Number(i.into()),
                    None => given
                        .trim()
                        .parse::<f64>()
                        .ok()
                        .and_then(Number::from_f64)
                        .map(Value::Number)
                        .ok_or_else(|| Error::invalid(&field, format!("{key}: '{given}' is not a number")))?,
                }
            }
            _ => Value::String(given.to_string()),
        };
        variables.insert(key, value);
    }
    let is_set = |k: &str| variables.get(k).and_then(Value::as_str).is_some_and(|s| !s.trim().is_empty());
    for (t, k) in REQUIRED_VARIABLES {
        if t == template.name && !is_set(k) {
            return Err(Error::invalid(format!("{VAR_PREFIX}{k}"), format!("template {t} needs {k}")));
        }
    }
    if template.name == SSH_TEMPLATE && !SSH_VARIABLES.iter().any(|k| is_set(k)) {
        return Err(Error::invalid(
            format!("{VAR_PREFIX}{}", SSH_VARIABLES[0]),
            format!("template {SSH_TEMPLATE} needs an SSH password (var.sshPassword) or public key (var.sshPublicKey)"),
        ));
    }
    Ok(Plan {
        cluster_id: offer.cluster_id.clone(),
        template: template.name.clone(),
        variables,
        resources,
        description: values.get(DESCRIPTION).map(str::to_string),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer() -> Offer {
        let clusters: Vec<WireCluster> = serde_json::from_value(serde_json::json!([
            {"id": "c1", "name": "lab-cluster", "cluster_status": "READY", "cluster_type": "REMOTE", "k8s_version": "1.30"}]))
        .unwrap();
        let templates: Vec<WireTemplate> = serde_json::from_value(serde_json::json!([
            {"name": "vscode-devcontainer-template", "variables": {"sshPassword": "", "sshPublicKey": "", "shmSizeGb": 8,
              "deploymentImage": "", "global": {"deploymentName": ""}, "deploymentNumReplicas": 1}},
            {"name": "jupyter-notebook-template", "description": "Jupyter Notebook",
             "variables": {"notebookPassword": "", "deploymentImage": "ghcr.io/exalsius/jupyter-notebook:latest-nvidia",
                           "global": {"deploymentName": "", "deploymentNamespace": "default"}, "deploymentNumReplicas": 1}}]))
        .unwrap();
        let resources: Vec<NodeResources> = serde_json::from_value(serde_json::json!([
            {"node_name": "gpu-node-1", "available": {"gpu_count": 2, "gpu_vendor": "nvidia", "gpu_type": "L40", "gpu_memory": 48,
                                                       "cpu_cores": 30, "memory_gb": 120, "storage_gb": 400}},
            {"node_name": "gpu-node-2", "available": {"gpu_count": 4, "gpu_vendor": "NVIDIA", "gpu_type": "A100", "gpu_memory": 80,
                                                       "cpu_cores": 64, "memory_gb": 512, "storage_gb": 2000}},
            {"node_name": "cpu-node", "available": {"gpu_count": 0, "cpu_cores": 16, "memory_gb": 64, "storage_gb": 200}}]))
        .unwrap();
        Offer { clusters, cluster_id: "c1".into(), templates, nodes: nodes(&resources) }
    }

    fn input(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn validate(pairs: &[(&str, &str)]) -> Result<FormValues> {
        let i = input(pairs);
        create_form(&offer(), &i)?.validate(&i)
    }

    #[test]
    fn defaults_follow_the_clis_sizing_on_the_first_gpu_type() {
        let form = create_form(&offer(), &BTreeMap::new()).unwrap();
        let d = |k: &str| form.field(k).unwrap().default.clone().unwrap();
        assert_eq!(d(TEMPLATE), "jupyter-notebook-template");
        assert_eq!(d(GPU_TYPE), "L40");
        assert_eq!(form.field(GPU_COUNT).unwrap().max, Some(2.0));
        // Half of gpu-node-1 for one of its two GPUs.
        assert_eq!((d(GPU_COUNT), d(CPU), d(MEMORY), d(STORAGE)), ("1".into(), "15".into(), "60".into(), "200".into()));
        let types: Vec<String> =
            form.field(GPU_TYPE).unwrap().choices.clone().unwrap().into_iter().map(|c| c.value).collect();
        assert_eq!(types, vec!["L40", "A100", NO_GPU]);
        assert!(form.field("var.notebookPassword").unwrap().required);
        assert!(form.field("var.global").is_none() && form.field("var.deploymentNumReplicas").is_none());
        let a100 = create_form(&offer(), &input(&[(GPU_TYPE, "A100"), (GPU_COUNT, "4")])).unwrap();
        assert_eq!(a100.field(GPU_COUNT).unwrap().max, Some(4.0));
        assert_eq!(a100.field(CPU).unwrap().default.as_deref(), Some("58"), "a whole node keeps 10 % back");
    }

    #[test]
    fn more_than_is_free_names_the_field_and_the_limit() {
        let err = validate(&[(GPU_COUNT, "9999"), ("var.notebookPassword", "pw1234")]).unwrap_err();
        assert_eq!(err.field(), Some(GPU_COUNT));
        assert!(err.to_string().contains("maximum of 2"), "{err}");
        // Each field alone fits some node of the type, but not together with 2 GPUs.
        let v =
            validate(&[(GPU_TYPE, "A100"), (GPU_COUNT, "1"), (CPU, "64"), ("var.notebookPassword", "pw1234")]).unwrap();
        assert!(plan(&v, &offer()).is_ok());
        let v = validate(&[(GPU_COUNT, "2"), (CPU, "30"), (MEMORY, "121"), ("var.notebookPassword", "pw")]);
        let err = v.unwrap_err();
        assert_eq!(err.field(), Some(MEMORY));
        assert!(err.to_string().contains("maximum of 120"), "{err}");
        let v = validate(&[(GPU_COUNT, "1.5"), ("var.notebookPassword", "pw")]).unwrap();
        assert_eq!(plan(&v, &offer()).unwrap_err().field(), Some(GPU_COUNT));
        let v = validate(&[(GPU_TYPE, NO_GPU), (GPU_COUNT, "0"), (CPU, "16"), ("var.notebookPassword", "pw")]).unwrap();
        assert_eq!(plan(&v, &offer()).unwrap().resources.gpu_type, None);
    }

    #[test]
    fn a_plan_keeps_hidden_variables_and_types_the_given_ones() {
        let v = validate(&[("var.notebookPassword", "s3cret!"), (DESCRIPTION, "Workspace with 1 GPUs")]).unwrap();
        let p = plan(&v, &offer()).unwrap();
        assert_eq!(p.template, "jupyter-notebook-template");
        assert_eq!(p.variables["notebookPassword"], "s3cret!");
        assert_eq!(p.variables["global"]["deploymentNamespace"], "default");
        assert_eq!(p.variables["deploymentNumReplicas"], 1);
        assert_eq!(
            p.resources,
            HardwareRequest {
                gpu_count: 1,
                gpu_vendor: Some("NVIDIA".into()),
                gpu_type: Some("L40".into()),
                cpu_cores: 15,
                memory_gb: 60,
                storage_gb: 200
            }
        );
        let v =
            validate(&[(TEMPLATE, SSH_TEMPLATE), ("var.shmSizeGb", "16"), ("var.sshPublicKey", "ssh-ed25519 AAAA")])
                .unwrap();
        let p = plan(&v, &offer()).unwrap();
        assert_eq!(p.variables["shmSizeGb"], 16);
        let v = validate(&[(TEMPLATE, SSH_TEMPLATE)]).unwrap();
        assert_eq!(plan(&v, &offer()).unwrap_err().field(), Some("var.sshPassword"));
    }

    #[test]
    fn a_missing_required_variable_is_refused_by_the_form() {
        assert_eq!(validate(&[]).unwrap_err().field(), Some("var.notebookPassword"));
        let err = validate(&[(TEMPLATE, SSH_TEMPLATE), ("var.notebookPassword", "x")]).unwrap_err();
        assert_eq!(err.field(), Some("var.notebookPassword"), "a variable of another template is unknown");
    }
}
