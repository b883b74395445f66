//! Aether's hardware rules (Fly.io machine sizes): there is no catalog endpoint, so the
//! wizard's choices and the checks before create come from this table.

pub const CPU_KINDS: [&str; 2] = ["shared", "performance"];
pub const GPU_KINDS: [&str; 4] = ["a10", "l40s", "a100-40gb", "a100-80gb"];
pub const VOLUME_GB: (u32, u32) = (1, 500);

/// Allowed memory sizes (MB) for a CPU kind and count; empty when the count is not offered.
pub fn memory_options(cpu_kind: &str, cpus: u32) -> &'static [u64] {
    match (cpu_kind, cpus) {
        ("shared", 1) => &[256, 512, 1024, 2048],
        ("shared", 2) => &[512, 1024, 2048, 4096],
        ("shared", 4) => &[1024, 2048, 4096, 8192],
        ("shared", 8) => &[2048, 4096, 8192, 16384],
        ("performance", 1) => &[2048, 4096, 8192],
        ("performance", 2) => &[4096, 8192, 16384],
        ("performance", 4) => &[8192, 16384, 32768],
        ("performance", 8) => &[16384, 32768],
        ("performance", 16) => &[32768],
        _ => &[],
    }
}

pub fn cpu_options(cpu_kind: &str) -> &'static [u32] {
    match cpu_kind {
        "performance" => &[1, 2, 4, 8, 16],
        _ => &[1, 2, 4, 8],
    }
}

/// GPU memory per card, for the picker's detail line.
pub fn gpu_memory_gb(gpu: &str) -> u32 {
    match gpu {
        "a10" => 24,
        "l40s" => 48,
        "a100-40gb" => 40,
        _ => 80,
    }
}

/// Why a combination is refused, naming the field at fault; `None` when it is valid.
pub fn check(cpu_kind: &str, cpus: u32, memory_mb: u64, gpu: Option<&str>) -> Option<(&'static str, String)> {
    if !CPU_KINDS.contains(&cpu_kind) {
        return Some(("cpu_kind", format!("'{cpu_kind}' is not shared or performance")));
    }
    if let Some(g) = gpu {
        // With a GPU the machine size is fixed by the GPU; CPU and memory are ignored.
        return (!GPU_KINDS.contains(&g))
            .then(|| ("gpu_kind", format!("'{g}' is not one of {}", GPU_KINDS.join(", "))));
    }
    if !cpu_options(cpu_kind).contains(&cpus) {
        return Some((
            "cpus",
            format!("{cpus} CPUs are not offered for {cpu_kind} machines; choose one of {:?}", cpu_options(cpu_kind)),
        ));
    }
    let mem = memory_options(cpu_kind, cpus);
    (!mem.contains(&memory_mb))
        .then(|| ("memory_mb", format!("{memory_mb} MB does not fit {cpus} {cpu_kind} CPUs; valid options: {mem:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_must_fit_the_cpu_count() {
        assert!(check("shared", 2, 2048, None).is_none());
        assert_eq!(check("shared", 2, 256, None).map(|c| c.0), Some("memory_mb"));
        assert_eq!(check("shared", 16, 32768, None).map(|c| c.0), Some("cpus"));
        assert!(check("performance", 16, 32768, None).is_none());
        assert!(check("shared", 1, 1, Some("a100-80gb")).is_none());
        assert_eq!(check("shared", 2, 2048, Some("h100")).map(|c| c.0), Some("gpu_kind"));
    }
}
