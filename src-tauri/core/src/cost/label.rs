//! Money as people read it, the same in the tray and in `hangarctl ls`: "$2.40", "12.5 cr",
//! "≈ €1.10/h" (an estimate from the user's rates), and the one-line total.

use super::Totals;
use crate::model::{Cost, RateSource};

/// Anyscale's unit; every other unit is an ISO 4217 code.
const CREDITS: &str = "credits";

/// An amount in its unit: a symbol for the common currencies, the code for the others.
/// A cost too small to show in cents reads as "<$0.01", never as free.
pub fn amount(value: f64, unit: &str) -> String {
    let value = if value.is_finite() { value } else { 0.0 };
    if value > 0.0 && value < 0.005 {
        return format!("<{}", amount(0.01, unit));
    }
    match unit {
        CREDITS => format!("{} cr", trimmed(value)),
        "USD" => format!("${value:.2}"),
        "EUR" => format!("€{value:.2}"),
        "GBP" => format!("£{value:.2}"),
        code => format!("{value:.2} {code}"),
    }
}

/// Credits are quoted to what they are (12.5, 0.48), not padded to cents.
fn trimmed(value: f64) -> String {
    let s = format!("{value:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A workspace's rate ("$1.20/h", "≈ €0.52/h", "12.5 cr/h"), or `None` when unknown.
pub fn rate(cost: &Cost) -> Option<String> {
    let (rate, unit) = (cost.rate?, cost.currency.as_deref()?);
    let approx = if cost.rate_source == RateSource::YourRates { "≈ " } else { "" };
    Some(format!("{approx}{}/h", amount(rate, unit)))
}

/// "3 running · 9 GPUs · ≈ $14.20/h" (one rate per unit); `None` when nothing runs.
pub fn totals(t: &Totals) -> Option<String> {
    if t.running == 0 {
        return None;
    }
    let mut parts = vec![format!("{} running", t.running)];
    match t.gpus {
        0 => {}
        1 => parts.push("1 GPU".into()),
        n => parts.push(format!("{n} GPUs")),
    }
    let rates: Vec<String> = t
        .spend
        .iter()
        .filter(|s| s.per_hour.is_finite() && s.per_hour > 0.0 && !s.currency.trim().is_empty())
        .map(|s| format!("≈ {}/h", amount(s.per_hour, &s.currency)))
        .collect();
    if !rates.is_empty() {
        parts.push(rates.join(" + "));
    }
    Some(parts.join(" · "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::Spend;

    fn cost(rate: Option<f64>, unit: Option<&str>, source: RateSource) -> Cost {
        Cost { rate, currency: unit.map(str::to_string), rate_source: source, ..Cost::default() }
    }

    #[test]
    fn rates_read_in_their_unit() {
        assert_eq!(rate(&cost(Some(2.4), Some("USD"), RateSource::YourRates)).as_deref(), Some("≈ $2.40/h"));
        assert_eq!(rate(&cost(Some(1.2), Some("USD"), RateSource::Vendor)).as_deref(), Some("$1.20/h"));
        assert_eq!(rate(&cost(Some(12.0), Some("credits"), RateSource::Vendor)).as_deref(), Some("12 cr/h"));
        assert_eq!(rate(&cost(Some(12.5), Some("credits"), RateSource::Vendor)).as_deref(), Some("12.5 cr/h"));
        assert_eq!(rate(&cost(Some(3.0), Some("CHF"), RateSource::YourRates)).as_deref(), Some("≈ 3.00 CHF/h"));
        assert_eq!(rate(&cost(Some(0.0), Some("EUR"), RateSource::Vendor)).as_deref(), Some("€0.00/h"));
        assert_eq!(rate(&cost(None, None, RateSource::Unknown)), None);
        assert_eq!(rate(&cost(Some(0.004), Some("USD"), RateSource::Vendor)).as_deref(), Some("<$0.01/h"));
        assert_eq!(amount(0.001, "credits"), "<0.01 cr");
        assert_eq!(amount(0.005, "EUR"), "€0.01", "what rounds up to a cent is shown as it is");
    }

    #[test]
    fn the_total_line_names_what_runs_and_each_units_rate() {
        let mut t = Totals { running: 3, gpus: 9, ..Totals::default() };
        assert_eq!(totals(&t).as_deref(), Some("3 running · 9 GPUs"), "no rate known: none shown");
        t.spend = vec![
            Spend { currency: "USD".into(), per_hour: 14.2, ..Spend::default() },
            Spend { currency: "credits".into(), per_hour: 12.5, ..Spend::default() },
            Spend { currency: "EUR".into(), per_hour: 0.0, ..Spend::default() },
        ];
        assert_eq!(totals(&t).as_deref(), Some("3 running · 9 GPUs · ≈ $14.20/h + ≈ 12.5 cr/h"));
        let one = Totals { running: 1, gpus: 1, ..Totals::default() };
        assert_eq!(totals(&one).as_deref(), Some("1 running · 1 GPU"));
        assert_eq!(totals(&Totals::default()), None, "nothing running: no line");
    }
}
