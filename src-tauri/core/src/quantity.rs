//! Kubernetes resource quantities ("4", "500m", "16Gi"), which several vendors take and return
//! as strings (resource requests, container configs).

/// A Kubernetes quantity as a plain number: "500m" → 0.5, "16Gi" → 17179869184, "1e3" → 1000.
/// `None` for anything Kubernetes would refuse (spaces, "16GB", signs, empty).
pub fn parse_quantity(text: &str) -> Option<f64> {
    let s = text.trim();
    let digits_end = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());
    let (number, rest) = s.split_at(digits_end);
    if !number.chars().any(|c| c.is_ascii_digit()) || number.matches('.').count() > 1 {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    let exponent = rest.strip_prefix(['e', 'E']).filter(|e| {
        let unsigned = e.strip_prefix(['+', '-']).unwrap_or(e);
        !unsigned.is_empty() && unsigned.chars().all(|c| c.is_ascii_digit())
    });
    let factor = match exponent {
        Some(e) => 10f64.powi(e.parse().ok()?),
        None => match rest {
            "" => 1.0,
            "n" => 1e-9,
            "u" => 1e-6,
            "m" => 1e-3,
            "k" => 1e3,
            "M" => 1e6,
            "G" => 1e9,
            "T" => 1e12,
            "P" => 1e15,
            "E" => 1e18,
            "Ki" => 1024f64,
            "Mi" => 1024f64.powi(2),
            "Gi" => 1024f64.powi(3),
            "Ti" => 1024f64.powi(4),
            "Pi" => 1024f64.powi(5),
            "Ei" => 1024f64.powi(6),
            _ => return None,
        },
    };
    Some(value * factor).filter(|v| v.is_finite())
}

/// Why a typed quantity cannot be sent, or `None` when it can. `bytes` marks memory and
/// storage, where a bare number means bytes and is almost always a forgotten unit.
pub fn check_quantity(text: &str, bytes: bool) -> Option<String> {
    let example = if bytes { "16Gi or 512Mi" } else { "4, 0.5 or 500m" };
    match parse_quantity(text) {
        None => Some(format!("'{text}' is not a Kubernetes quantity (write it like {example})")),
        Some(v) if v <= 0.0 => Some(format!("'{text}' must be more than zero")),
        Some(v) if bytes && v < 1024.0 * 1024.0 => {
            Some(format!("'{text}' is only {v} bytes; add a unit, like {text}Gi"))
        }
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_read_as_kubernetes_does() {
        assert_eq!(parse_quantity("500m"), Some(0.5));
        assert_eq!(parse_quantity("16Gi"), Some(16.0 * 1024.0 * 1024.0 * 1024.0));
        assert_eq!(parse_quantity("1e3"), Some(1000.0));
        for bad in ["", "16GB", "-1", "1 Gi", "1.2.3"] {
            assert_eq!(parse_quantity(bad), None, "{bad}");
        }
        assert!(check_quantity("512", true).is_some(), "bare bytes are a forgotten unit");
        assert!(check_quantity("0", false).is_some());
        assert!(check_quantity("2Gi", true).is_none());
    }
}
