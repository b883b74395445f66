//! Strongly.ai sends resources as Kubernetes quantity strings ("4", "500m", "16Gi"); this
//! reads them into the shared `Hardware`, and checks what a user types before it is sent.

use super::wire::Resources;
use crate::model::{Gpu, Hardware};
pub use crate::quantity::{check_quantity, parse_quantity};

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// A GPU count as the API spells it ("1"); whole numbers only.
pub fn gpu_count(text: &str) -> Option<u32> {
    parse_quantity(text).filter(|v| v.fract() == 0.0 && *v >= 0.0 && *v <= f64::from(u32::MAX)).map(|v| v as u32)
}

pub fn to_hardware(resources: Option<&Resources>) -> Hardware {
    let Some(r) = resources else {
        return Hardware::default();
    };
    let cpus = r.cpu.as_deref().and_then(parse_quantity);
    let memory_gb = r.memory.as_deref().and_then(parse_quantity).map(|b| b / GIB);
    let storage_gb = r.storage.as_deref().and_then(parse_quantity).map(|b| b / GIB);
    let gpu = r.gpu.as_deref().and_then(gpu_count).filter(|n| *n > 0).map(|count| Gpu {
        kind: r.gpu_type.clone().filter(|t| !t.trim().is_empty()).unwrap_or_else(|| "GPU".into()),
        count,
    });
    // An unreadable quantity is still shown, in the vendor's words.
    let shown = |parsed: Option<f64>, raw: &Option<String>| parsed.map(fmt_number).or_else(|| raw.clone());
    let mut parts = vec![];
    if let Some(c) = shown(cpus, &r.cpu) {
        parts.push(format!("{c} CPU"));
    }
    if let Some(m) = shown(memory_gb, &r.memory) {
        parts.push(if memory_gb.is_some() { format!("{m} GB") } else { format!("{m} memory") });
    }
    if let Some(g) = &gpu {
        parts.push(format!("{}× {}", g.count, g.kind));
    }
    if let Some(d) = shown(storage_gb, &r.storage) {
        parts.push(if storage_gb.is_some() { format!("{d} GB disk") } else { format!("{d} disk") });
    }
    Hardware { label: (!parts.is_empty()).then(|| parts.join(" · ")), cpus, memory_gb, gpu }
}

fn fmt_number(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn quantities_parse_like_kubernetes() {
        let table = [
            ("4", Some(4.0)),
            ("500m", Some(0.5)),
            ("0.5", Some(0.5)),
            ("16Gi", Some(16.0 * GIB)),
            ("512Mi", Some(512.0 * 1024.0 * 1024.0)),
            ("50Gi", Some(50.0 * GIB)),
            ("1Ti", Some(1024.0 * GIB)),
            ("2k", Some(2000.0)),
            ("16G", Some(16e9)),
            ("1e3", Some(1000.0)),
            ("1E", Some(1e18)),
            (" 8 ", Some(8.0)),
            ("16GB", None),
            ("16 Gi", None),
            ("Gi", None),
            ("-1", None),
            ("1.2.3", None),
            ("", None),
            ("four", None),
        ];
        for (text, want) in table {
            assert_eq!(parse_quantity(text), want, "parse_quantity({text:?})");
        }
    }

    #[test]
    fn typed_quantities_are_checked_with_a_hint() {
        assert_eq!(check_quantity("16Gi", true), None);
        assert_eq!(check_quantity("500m", false), None);
        assert!(check_quantity("16", true).is_some_and(|m| m.contains("16Gi")), "a bare memory number needs a unit");
        assert!(check_quantity("0", false).is_some_and(|m| m.contains("more than zero")));
        assert!(check_quantity("16GB", true).is_some_and(|m| m.contains("Kubernetes quantity")));
    }

    #[test]
    fn the_documented_resources_make_a_readable_label() {
        let r = Resources {
            cpu: Some("4".into()),
            memory: Some("16Gi".into()),
            gpu: Some("1".into()),
            gpu_type: Some("nvidia-a10g".into()),
            storage: Some("50Gi".into()),
        };
        let hw = to_hardware(Some(&r));
        assert_eq!(hw.label.as_deref(), Some("4 CPU · 16 GB · 1× nvidia-a10g · 50 GB disk"));
        assert_eq!(hw.cpus, Some(4.0));
        assert_eq!(hw.memory_gb, Some(16.0));
        assert_eq!(hw.gpu, Some(Gpu { kind: "nvidia-a10g".into(), count: 1 }));
    }

    #[test]
    fn fractional_cpu_zero_gpu_and_odd_values_still_show() {
        let r = Resources {
            cpu: Some("500m".into()),
            memory: Some("512Mi".into()),
            gpu: Some("0".into()),
            gpu_type: None,
            storage: Some("lots".into()),
        };
        let hw = to_hardware(Some(&r));
        assert_eq!(hw.label.as_deref(), Some("0.5 CPU · 0.5 GB · lots disk"));
        assert_eq!(hw.gpu, None);
        assert_eq!(to_hardware(None), Hardware::default(), "a list summary has no resources");
    }
}
