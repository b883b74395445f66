//! Create forms: fields with live choices, described by each provider and validated here,
//! before any call is made, so a bad value always names its field.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum FieldKind {
    Text,
    Number,
    Choice,
    Bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub detail: Option<String>,
}

impl Choice {
    pub fn new(value: impl Into<String>, label: impl Into<String>) -> Self {
        Choice { value: value.into(), label: label.into(), detail: None }
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FormField {
    pub key: String,
    pub label: String,
    pub kind: FieldKind,
    pub required: bool,
    pub choices: Option<Vec<Choice>>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub default: Option<String>,
    pub help: Option<String>,
    /// For hardware pickers: the UI groups fields of one group onto the same wizard step.
    pub group: Option<String>,
    /// A password or token the user types (masked on screen, never echoed back).
    #[serde(default)]
    pub secret: bool,
}

impl FormField {
    fn base(key: &str, label: &str, kind: FieldKind) -> Self {
        FormField {
            key: key.into(),
            label: label.into(),
            kind,
            required: false,
            choices: None,
            min: None,
            max: None,
            default: None,
            help: None,
            group: None,
            secret: false,
        }
    }

    /// A text field; one whose key names a password, token or secret is masked.
    pub fn text(key: &str, label: &str) -> Self {
        let lower = key.to_ascii_lowercase();
        let secret = ["password", "token", "secret"].iter().any(|w| lower.contains(w));
        FormField { secret, ..Self::base(key, label, FieldKind::Text) }
    }

    pub fn number(key: &str, label: &str, min: f64, max: f64) -> Self {
        FormField { min: Some(min), max: Some(max), ..Self::base(key, label, FieldKind::Number) }
    }

    pub fn choice(key: &str, label: &str, choices: Vec<Choice>) -> Self {
        FormField { choices: Some(choices), ..Self::base(key, label, FieldKind::Choice) }
    }

    pub fn boolean(key: &str, label: &str) -> Self {
        Self::base(key, label, FieldKind::Bool)
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn default_value(mut self, v: impl Into<String>) -> Self {
        self.default = Some(v.into());
        self
    }

    pub fn help(mut self, h: impl Into<String>) -> Self {
        self.help = Some(h.into());
        self
    }

    pub fn group(mut self, g: impl Into<String>) -> Self {
        self.group = Some(g.into());
        self
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Form {
    pub fields: Vec<FormField>,
}

/// Values a user filled in, after `Form::validate`: every key is a field of the form,
/// defaults are applied, numbers and booleans are well-formed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FormValues(BTreeMap<String, String>);

impl FormValues {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    pub fn number(&self, key: &str) -> Option<f64> {
        self.get(key).and_then(|v| v.parse().ok())
    }

    pub fn flag(&self, key: &str) -> Option<bool> {
        self.get(key).map(|v| v == "true")
    }
}

pub const MAX_TEXT_LEN: usize = 256;

impl Form {
    pub fn field(&self, key: &str) -> Option<&FormField> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// Checks raw `KEY=VALUE` input against the fields; fails on the first bad one, naming it.
    pub fn validate(&self, input: &BTreeMap<String, String>) -> Result<FormValues> {
        if let Some(unknown) = input.keys().find(|k| self.field(k).is_none()) {
            let known: Vec<&str> = self.fields.iter().map(|f| f.key.as_str()).collect();
            return Err(Error::invalid(
                unknown.clone(),
                format!("unknown field '{unknown}'; this form has: {}", known.join(", ")),
            ));
        }
        let mut out = BTreeMap::new();
        for field in &self.fields {
            let given = input.get(&field.key).map(|v| v.trim()).filter(|v| !v.is_empty());
            let value = match given.map(str::to_string).or_else(|| field.default.clone()) {
                Some(v) => v,
                None if field.required => {
                    return Err(Error::invalid(&field.key, format!("'{}' is required", field.label)))
                }
                None => continue,
            };
            out.insert(field.key.clone(), check_value(field, &value)?);
        }
        Ok(FormValues(out))
    }
}

fn check_value(field: &FormField, value: &str) -> Result<String> {
    let bad = |why: String| Err(Error::invalid(&field.key, format!("{}: {why}", field.label)));
    match field.kind {
        FieldKind::Text => {
            if value.chars().count() > MAX_TEXT_LEN {
                return bad(format!("at most {MAX_TEXT_LEN} characters"));
            }
            if value.chars().any(char::is_control) {
                return bad("must not contain control characters".into());
            }
            Ok(value.to_string())
        }
        FieldKind::Number => {
            let Ok(n) = value.parse::<f64>() else {
                return bad(format!("'{value}' is not a number"));
            };
            if !n.is_finite() {
                return bad(format!("'{value}' is not a number"));
            }
            if let Some(min) = field.min.filter(|m| n < *m) {
                return bad(format!("{value} is below the minimum of {min}"));
            }
            if let Some(max) = field.max.filter(|m| n > *m) {
                return bad(format!("{value} is above the maximum of {max}"));
            }
            Ok(value.to_string())
        }
        FieldKind::Choice => {
            let choices = field.choices.as_deref().unwrap_or_default();
            if choices.iter().any(|c| c.value == value) {
                Ok(value.to_string())
            } else {
                let list: Vec<&str> = choices.iter().map(|c| c.value.as_str()).collect();
                bad(format!("'{value}' is not one of: {}", list.join(", ")))
            }
        }
        FieldKind::Bool => match value {
            "true" | "yes" | "1" | "on" => Ok("true".into()),
            "false" | "no" | "0" | "off" => Ok("false".into()),
            _ => bad(format!("'{value}' is not true or false")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> Form {
        Form {
            fields: vec![
                FormField::choice("size", "Size", vec![Choice::new("s", "Small"), Choice::new("m", "Medium")])
                    .required(),
                FormField::number("gpus", "GPUs", 0.0, 8.0).default_value("0"),
                FormField::boolean("keep", "Keep active"),
            ],
        }
    }

    fn input(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn too_many_gpus_names_the_field_and_the_limit() {
        let err = form().validate(&input(&[("size", "s"), ("gpus", "9999")])).unwrap_err();
        assert_eq!(err.field(), Some("gpus"));
        assert!(err.to_string().contains("maximum of 8"), "{err}");
    }

    #[test]
    fn missing_required_choice_is_refused() {
        let err = form().validate(&input(&[])).unwrap_err();
        assert_eq!(err.field(), Some("size"));
    }

    #[test]
    fn unknown_field_and_bad_choice_are_refused() {
        assert_eq!(form().validate(&input(&[("size", "s"), ("colour", "red")])).unwrap_err().field(), Some("colour"));
        assert_eq!(form().validate(&input(&[("size", "xl")])).unwrap_err().field(), Some("size"));
    }

    #[test]
    fn defaults_apply_and_bools_normalize() {
        let v = form().validate(&input(&[("size", "m"), ("keep", "yes")])).unwrap();
        assert_eq!(v.number("gpus"), Some(0.0));
        assert_eq!(v.flag("keep"), Some(true));
    }
}
