//! Aether's create form (projects, and the fixed hardware table with the account's defaults)
//! and the create body it becomes, with the table's rules checked before any call.

use super::hardware;
use super::mapping::fmt_gb;
use super::wire::{CreateBody, WireHardware, WireProject};
use crate::error::{Error, Result};
use crate::form::{Choice, Form, FormField, FormValues};

/// The create form for these projects, with the account's default hardware where it has one.
pub(super) fn create_form_of(projects: &[WireProject], defaults: Option<WireHardware>) -> Result<Form> {
    let Some(first) = projects.first() else {
        return Err(Error::invalid("project", "this Aether account has no project; create one in Aether first"));
    };
    // The account's defaults, where the table offers them: a default the form would refuse
    // would make the user correct what they never typed.
    let defaults = defaults.unwrap_or_default();
    let cpu_kind = defaults.cpu_kind.filter(|k| hardware::CPU_KINDS.contains(&k.as_str()));
    let gpu_kind = defaults.gpu_kind.filter(|g| hardware::GPU_KINDS.contains(&g.as_str()));
    let cpus = defaults.cpus.filter(|c| hardware::cpu_options("performance").contains(c));
    let volume = defaults.volume_size_gb.filter(|v| (hardware::VOLUME_GB.0..=hardware::VOLUME_GB.1).contains(v));
    let mut memory: Vec<u64> = hardware::CPU_KINDS
        .iter()
        .flat_map(|k| hardware::cpu_options(k).iter().flat_map(move |c| hardware::memory_options(k, *c)))
        .copied()
        .collect();
    memory.sort_unstable();
    memory.dedup();
    let memory_mb = defaults.memory_mb.filter(|m| memory.contains(m));
    let mut gpus = vec![Choice::new("none", "No GPU")];
    gpus.extend(hardware::GPU_KINDS.iter().map(|g| {
        Choice::new(*g, g.to_uppercase())
            .with_detail(format!("1 × {} GB GPU memory · region ord", hardware::gpu_memory_gb(g)))
    }));
    Ok(Form {
        fields: vec![
            FormField::choice("project", "Project", projects.iter().map(|p| Choice::new(&p.id, &p.name)).collect())
                .required()
                .default_value(&first.id),
            FormField::choice("gpu_kind", "GPU", gpus)
                .default_value(gpu_kind.unwrap_or_else(|| "none".into()))
                .help("With a GPU, CPU and memory are fixed by the GPU machine")
                .group("hardware"),
            FormField::choice(
                "cpu_kind",
                "CPU kind",
                vec![Choice::new("shared", "Shared"), Choice::new("performance", "Performance")],
            )
            .default_value(cpu_kind.unwrap_or_else(|| "shared".into()))
            .group("hardware"),
            FormField::choice(
                "cpus",
                "CPUs",
                [1u32, 2, 4, 8, 16].iter().map(|c| Choice::new(c.to_string(), format!("{c} vCPU"))).collect(),
            )
            .default_value(cpus.unwrap_or(2).to_string())
            .help("Shared machines go up to 8 CPUs, performance up to 16")
            .group("hardware"),
            FormField::choice(
                "memory_mb",
                "Memory",
                memory.iter().map(|m| Choice::new(m.to_string(), format!("{} GB", fmt_gb(*m)))).collect(),
            )
            .default_value(memory_mb.unwrap_or(2048).to_string())
            .help("Must fit the CPU count (e.g. 2 shared CPUs: 512 MB to 4 GB)")
            .group("hardware"),
            FormField::number(
                "volume_size_gb",
                "Disk (GB)",
                hardware::VOLUME_GB.0.into(),
                hardware::VOLUME_GB.1.into(),
            )
            .default_value(volume.unwrap_or(10).to_string())
            .group("hardware"),
            FormField::boolean("keep_active", "Keep running when idle")
                .default_value("false")
                .help("Off: Aether stops the workspace after 10 idle minutes"),
        ],
    })
}

/// The project to create in and the body to send, from validated form values.
pub(super) fn create_body(values: &FormValues) -> Result<(String, CreateBody)> {
    let project = values.get("project").ok_or_else(|| Error::invalid("project", "a project is required"))?;
    let cpu_kind = values.get("cpu_kind").unwrap_or("shared");
    let cpus = values.number("cpus").unwrap_or(2.0) as u32;
    let memory_mb = values.number("memory_mb").unwrap_or(2048.0) as u64;
    let volume = values.number("volume_size_gb").unwrap_or(10.0);
    if volume.fract() != 0.0 {
        return Err(Error::invalid("volume_size_gb", "Disk (GB) must be a whole number"));
    }
    let gpu = values.get("gpu_kind").filter(|g| *g != "none");
    if let Some((field, why)) = hardware::check(cpu_kind, cpus, memory_mb, gpu) {
        return Err(Error::invalid(field, why));
    }
    let body = CreateBody {
        hardware: WireHardware {
            cpu_kind: Some(cpu_kind.into()),
            cpus: Some(cpus),
            memory_mb: Some(memory_mb),
            volume_size_gb: Some(volume as u32),
            gpu_kind: gpu.map(str::to_string),
        },
        keep_active: values.flag("keep_active").unwrap_or(false),
    };
    Ok((project.to_string(), body))
}
