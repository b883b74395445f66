//! `container_config` is a YAML *string* merged into the workspace's Kubernetes container
//! (contract §7). Hangar reads only `resources.{requests,limits}.{cpu,memory,nvidia.com/gpu}`
//! and `image_tag` from it, with a small tolerant reader (block and flow mappings, quotes,
//! comments; lists and multi-line scalars are skipped), and writes those keys back while
//! keeping every other top-level key (`env`, …) as the user wrote it.

use crate::model::{Gpu, Hardware};
pub use crate::quantity::{check_quantity, parse_quantity};

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
pub const GPU_KEY: &str = "nvidia.com/gpu";
/// Mappings nested deeper than this are not looked into: the reader recurses once per level,
/// and a container_config comes from the server (one with 100 000 levels overflowed the stack).
const MAX_DEPTH: usize = 32;

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Scalar(String),
    Map(Vec<(String, Node)>),
    /// A list, a block scalar or something unreadable: present, but not looked into.
    Other,
}

impl Node {
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(entries) => entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn scalar(&self) -> Option<&str> {
        match self {
            Node::Scalar(s) if !s.is_empty() && s != "~" && s != "null" => Some(s),
            _ => None,
        }
    }

    fn scalars(&self) -> Vec<(String, String)> {
        match self {
            Node::Map(entries) => {
                entries.iter().filter_map(|(k, v)| Some((k.clone(), v.scalar()?.to_string()))).collect()
            }
            _ => vec![],
        }
    }
}

struct Line {
    indent: usize,
    text: String,
}

/// Reads a YAML document's top-level mapping; anything it cannot read becomes `Other`.
pub fn parse(text: &str) -> Node {
    let lines: Vec<Line> = text
        .lines()
        .filter_map(|raw| {
            let body = strip_comment(raw).trim_end().to_string();
            let indent = body.len() - body.trim_start().len();
            let text = body.trim_start().to_string();
            (!text.is_empty() && text != "---" && text != "...").then_some(Line { indent, text })
        })
        .collect();
    let mut i = 0;
    let indent = lines.first().map_or(0, |l| l.indent);
    Node::Map(block_map(&lines, &mut i, indent, 0))
}

fn block_map(lines: &[Line], i: &mut usize, indent: usize, depth: usize) -> Vec<(String, Node)> {
    let mut out = vec![];
    while let Some(line) = lines.get(*i) {
        if line.indent < indent {
            break;
        }
        *i += 1;
        let is_item = line.text == "-" || line.text.starts_with("- ");
        let entry = if line.indent > indent || is_item { None } else { split_key(&line.text) };
        let Some((key, rest)) = entry else {
            skip_deeper(lines, i, line.indent);
            continue;
        };
        let value = if rest.is_empty() {
            match lines.get(*i) {
                Some(next) if next.indent > indent && !next.text.starts_with('-') => {
                    if depth >= MAX_DEPTH {
                        skip_deeper(lines, i, indent);
                        Node::Other
                    } else {
                        Node::Map(block_map(lines, i, next.indent, depth + 1))
                    }
                }
                Some(next) if next.indent >= indent && (next.text == "-" || next.text.starts_with("- ")) => {
                    // A list, possibly at the key's own indent ("env:\n- name: …").
                    while lines.get(*i).is_some_and(|l| {
                        l.indent > indent || (l.indent == indent && (l.text == "-" || l.text.starts_with("- ")))
                    }) {
                        *i += 1;
                    }
                    Node::Other
                }
                _ => Node::Scalar(String::new()),
            }
        } else if rest.starts_with('{') {
            let mut flow = rest.to_string();
            while !balanced(&flow) && lines.get(*i).is_some_and(|l| l.indent > indent) {
                flow.push(' ');
                flow.push_str(&lines[*i].text);
                *i += 1;
            }
            let mut chars = flow.chars().peekable();
            flow_value(&mut chars, depth)
        } else if rest.starts_with(['[', '|', '>', '&', '*', '!']) {
            skip_deeper(lines, i, indent);
            Node::Other
        } else {
            Node::Scalar(unquote(rest))
        };
        out.push((key, value));
    }
    out
}

fn skip_deeper(lines: &[Line], i: &mut usize, indent: usize) {
    while lines.get(*i).is_some_and(|l| l.indent > indent) {
        *i += 1;
    }
}

/// `key: rest` where the colon is outside quotes and followed by a space or the end.
fn split_key(text: &str) -> Option<(String, &str)> {
    let mut quote = None;
    let bytes = text.as_bytes();
    for (at, c) in text.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') if at == 0 => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, ':') if bytes.get(at + 1).is_none_or(|b| *b == b' ' || *b == b'\t') => {
                let key = unquote(&text[..at]);
                return (!key.is_empty()).then(|| (key, text[at + 1..].trim()));
            }
            _ => {}
        }
    }
    None
}

fn strip_comment(line: &str) -> &str {
    let mut quote = None;
    let mut prev = ' ';
    for (at, c) in line.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') if prev == ' ' || prev == ':' || prev == '{' || prev == ',' || prev == '[' => {
                quote = Some(c)
            }
            (Some(q), _) if c == q => quote = None,
            (None, '#') if prev == ' ' || prev == '\t' || at == 0 => return &line[..at],
            _ => {}
        }
        prev = c;
    }
    line
}

fn balanced(text: &str) -> bool {
    let mut depth = 0i32;
    let mut quote = None;
    for c in text.chars() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, '{' | '[') => depth += 1,
            (None, '}' | ']') => depth -= 1,
            _ => {}
        }
    }
    depth <= 0
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

fn flow_value(chars: &mut Chars, depth: usize) -> Node {
    skip_space(chars);
    match chars.peek() {
        Some('{' | '[') if depth >= MAX_DEPTH => {
            skip_nested(chars);
            Node::Other
        }
        Some('{') => {
            chars.next();
            let mut entries = vec![];
            loop {
                skip_space(chars);
                match chars.peek() {
                    None => return Node::Other,
                    Some('}') => {
                        chars.next();
                        return Node::Map(entries);
                    }
                    Some(',') => {
                        chars.next();
                    }
                    Some(_) => {
                        let key = flow_scalar(chars, true);
                        skip_space(chars);
                        if chars.next_if_eq(&':').is_none() {
                            return Node::Other;
                        }
                        let value = flow_value(chars, depth + 1);
                        entries.push((key, value));
                    }
                }
            }
        }
        Some('[') => {
            skip_nested(chars);
            Node::Other
        }
        _ => Node::Scalar(flow_scalar(chars, false)),
    }
}

/// Skips one bracketed value, however deep, without recursing.
fn skip_nested(chars: &mut Chars) {
    let mut open = 0usize;
    for c in chars.by_ref() {
        match c {
            '[' | '{' => open += 1,
            ']' | '}' => open = open.saturating_sub(1),
            _ => {}
        }
        if open == 0 {
            break;
        }
    }
}

fn flow_scalar(chars: &mut Chars, is_key: bool) -> String {
    skip_space(chars);
    let mut raw = String::new();
    if let Some(q) = chars.next_if(|c| *c == '"' || *c == '\'') {
        raw.push(q);
        while let Some(c) = chars.next() {
            raw.push(c);
            if c == '\\' && q == '"' {
                if let Some(n) = chars.next() {
                    raw.push(n);
                }
            } else if c == q {
                if q == '\'' && chars.peek() == Some(&'\'') {
                    raw.push('\'');
                    chars.next();
                } else {
                    break;
                }
            }
        }
    } else {
        while let Some(c) = chars.next_if(|c| !(matches!(c, ',' | '}' | ']') || (is_key && *c == ':'))) {
            raw.push(c);
        }
    }
    unquote(raw.trim())
}

fn skip_space(chars: &mut Chars) {
    while chars.next_if(|c| c.is_whitespace()).is_some() {}
}

fn unquote(text: &str) -> String {
    let t = text.trim();
    if t.len() >= 2 && t.starts_with('"') && t.ends_with('"') {
        let inner = &t[1..t.len() - 1];
        let mut out = String::new();
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some(other) => out.push(other),
                    None => {}
                }
            } else {
                out.push(c);
            }
        }
        out
    } else if t.len() >= 2 && t.starts_with('\'') && t.ends_with('\'') {
        t[1..t.len() - 1].replace("''", "'")
    } else {
        t.to_string()
    }
}

/// The resource strings of a container_config, as written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Resources {
    pub cpu_request: Option<String>,
    pub cpu_limit: Option<String>,
    pub memory_request: Option<String>,
    pub memory_limit: Option<String>,
    pub gpu: Option<String>,
}

pub fn resources(doc: &Node) -> Resources {
    let at = |section: &str, key: &str| {
        doc.get("resources").and_then(|r| r.get(section)).and_then(|s| s.get(key)).and_then(Node::scalar)
    };
    let owned = |v: Option<&str>| v.map(str::to_string);
    Resources {
        cpu_request: owned(at("requests", "cpu")),
        cpu_limit: owned(at("limits", "cpu")),
        memory_request: owned(at("requests", "memory")),
        memory_limit: owned(at("limits", "memory")),
        gpu: owned(at("limits", GPU_KEY).or_else(|| at("requests", GPU_KEY))),
    }
}

pub fn image_tag(doc: &Node) -> Option<String> {
    doc.get("image_tag").and_then(Node::scalar).map(str::to_string)
}

/// The resources to write: requests and limits, each `(key, quantity)`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Wanted {
    pub requests: Vec<(&'static str, String)>,
    pub limits: Vec<(&'static str, String)>,
    pub image_tag: Option<String>,
}

/// `existing` with its `resources` and `image_tag` replaced by `wanted`: keys of `resources`
/// Hangar does not edit (GPUs, ephemeral storage…) and every other top-level key are kept.
pub fn merge(existing: Option<&str>, wanted: &Wanted) -> String {
    let existing = existing.unwrap_or("");
    let doc = parse(existing);
    let section = |name: &str, new: &[(&'static str, String)]| {
        let mut entries = doc.get("resources").and_then(|r| r.get(name)).map(Node::scalars).unwrap_or_default();
        for (key, value) in new {
            match entries.iter_mut().find(|(k, _)| k == key) {
                Some(slot) => slot.1 = value.clone(),
                None => entries.push((key.to_string(), value.clone())),
            }
        }
        entries
    };
    let requests = section("requests", &wanted.requests);
    let limits = section("limits", &wanted.limits);
    let mut out = String::new();
    let mut skipping = false;
    for line in existing.lines() {
        let top_level = !line.starts_with([' ', '\t']) && !line.trim().is_empty() && !line.starts_with('#');
        if top_level {
            let key = split_key(strip_comment(line).trim_end()).map(|(k, _)| k);
            skipping = key.as_deref() == Some("resources")
                || (wanted.image_tag.is_some() && key.as_deref() == Some("image_tag"));
        }
        if !skipping {
            out.push_str(line);
            out.push('\n');
        }
    }
    let out = out.trim_end_matches('\n');
    let mut out = if out.trim().is_empty() { String::new() } else { format!("{out}\n") };
    if !requests.is_empty() || !limits.is_empty() {
        out.push_str("resources:\n");
        for (name, entries) in [("requests", &requests), ("limits", &limits)] {
            if !entries.is_empty() {
                out.push_str(&format!("  {name}:\n"));
                for (k, v) in entries {
                    out.push_str(&format!("    {k}: {}\n", quoted(v)));
                }
            }
        }
    }
    if let Some(tag) = &wanted.image_tag {
        out.push_str(&format!("image_tag: {}\n", quoted(tag)));
    }
    out
}

fn quoted(v: &str) -> String {
    format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
}

pub fn to_hardware(container_config: Option<&str>) -> Hardware {
    let r = resources(&parse(container_config.unwrap_or("")));
    let cpu = |v: &Option<String>| v.as_deref().and_then(parse_quantity);
    let mem = |v: &Option<String>| v.as_deref().and_then(parse_quantity).map(|b| b / GIB);
    let (cpu_req, cpu_lim) = (cpu(&r.cpu_request), cpu(&r.cpu_limit));
    let (mem_req, mem_lim) = (mem(&r.memory_request), mem(&r.memory_limit));
    let gpu = r
        .gpu
        .as_deref()
        .and_then(parse_quantity)
        .filter(|n| *n >= 1.0 && n.fract() == 0.0 && *n <= f64::from(u32::MAX))
        .map(|n| Gpu { kind: "NVIDIA GPU".into(), count: n as u32 });
    let mut parts = vec![];
    if let Some(range) = range(cpu_req, cpu_lim) {
        parts.push(format!("{range} CPU"));
    }
    if let Some(range) = range(mem_req, mem_lim) {
        parts.push(format!("{range} GB"));
    }
    if let Some(g) = &gpu {
        parts.push(format!("{}× {}", g.count, g.kind));
    }
    Hardware {
        label: (!parts.is_empty()).then(|| parts.join(" · ")),
        // What the workspace may use: the limit, else what it is guaranteed.
        cpus: cpu_lim.or(cpu_req),
        memory_gb: mem_lim.or(mem_req),
        gpu,
    }
}

/// "1", or "0.5–1" when the request is below the limit.
fn range(request: Option<f64>, limit: Option<f64>) -> Option<String> {
    match (request, limit) {
        (Some(r), Some(l)) if r < l => Some(format!("{}–{}", fmt_number(r), fmt_number(l))),
        (r, l) => l.or(r).map(fmt_number),
    }
}

pub fn fmt_number(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn scalar(s: &str) -> Node {
        Node::Scalar(s.into())
    }

    #[test]
    fn the_contract_examples_read() {
        // §5's workspace object.
        let r = resources(&parse("resources:\n  limits:\n    cpu: 1\n"));
        assert_eq!(r, Resources { cpu_limit: Some("1".into()), ..Resources::default() });
        // §7, flow style.
        let doc = parse(r#"resources: {requests: {cpu: "1", memory: 2Gi}, limits: {cpu: "2", memory: 4Gi}}"#);
        let r = resources(&doc);
        assert_eq!(
            (r.cpu_request.as_deref(), r.memory_request.as_deref(), r.cpu_limit.as_deref(), r.memory_limit.as_deref()),
            (Some("1"), Some("2Gi"), Some("2"), Some("4Gi"))
        );
        // §7's GPU, the seed's env and image tag.
        let doc = parse(
            "image_tag: 2026.06.16\nenv:\n  - name: ENV\n    value: test\nresources:\n  limits: {nvidia.com/gpu: 1}\n",
        );
        assert_eq!(image_tag(&doc).as_deref(), Some("2026.06.16"));
        assert_eq!(resources(&doc).gpu.as_deref(), Some("1"));
        assert_eq!(doc.get("env"), Some(&Node::Other));
        let doc = parse("env:\n  - name: ENV\n    value: test");
        assert_eq!(resources(&doc), Resources::default());
    }

    #[test]
    fn the_reader_tolerates_what_people_write() {
        let text = "# workspace container\n---\nenv:\n- name: A\n  value: \"x: y # not a comment\"\nresources:   # sizes\n    requests:\n        \"cpu\": '500m'\n        memory: \"1Gi\"  # one gig\n    limits:\n        nvidia.com/gpu: \"2\"\n        memory: |\n          odd\ncommand: [\"mage\", \"start\"]\nsecurityContext: {runAsUser: 1000,\n  runAsGroup: 1000}\n";
        let doc = parse(text);
        let r = resources(&doc);
        assert_eq!(r.cpu_request.as_deref(), Some("500m"));
        assert_eq!(r.memory_request.as_deref(), Some("1Gi"));
        assert_eq!(r.gpu.as_deref(), Some("2"));
        assert_eq!(r.memory_limit, None, "a block scalar is not read");
        assert_eq!(doc.get("command"), Some(&Node::Other));
        assert_eq!(doc.get("securityContext").and_then(|s| s.get("runAsGroup")), Some(&scalar("1000")));
        for junk in ["", "::::", "- a\n- b", "resources", "resources: 4", "resources: {requests: {cpu: ", "\t\tx"] {
            assert_eq!(resources(&parse(junk)), Resources::default(), "{junk:?}");
        }
    }

    #[test]
    fn hardware_label_shows_requests_and_limits() {
        let hw = to_hardware(Some(
            "resources:\n  requests:\n    cpu: 500m\n    memory: 1Gi\n  limits:\n    cpu: 1\n    memory: 2Gi\n    nvidia.com/gpu: 1\n",
        ));
        assert_eq!(hw.label.as_deref(), Some("0.5–1 CPU · 1–2 GB · 1× NVIDIA GPU"));
        assert_eq!((hw.cpus, hw.memory_gb), (Some(1.0), Some(2.0)));
        assert_eq!(hw.gpu, Some(Gpu { kind: "NVIDIA GPU".into(), count: 1 }));
        let hw = to_hardware(Some("resources:\n  limits:\n    cpu: 1\n"));
        assert_eq!((hw.label.as_deref(), hw.cpus, hw.memory_gb), (Some("1 CPU"), Some(1.0), None));
        assert_eq!(to_hardware(None), Hardware::default());
        assert_eq!(to_hardware(Some("resources:\n  requests:\n    cpu: lots\n")), Hardware::default());
    }

    #[test]
    fn merge_replaces_resources_and_keeps_the_rest() {
        let existing = "env:\n  - name: ENV\n    value: test\nresources:\n  requests:\n    cpu: 1\n    ephemeral-storage: 1Gi\n  limits:\n    nvidia.com/gpu: 1\nimage_tag: old\n";
        let wanted = Wanted {
            requests: vec![("cpu", "2".into()), ("memory", "4Gi".into())],
            limits: vec![("cpu", "4".into()), ("memory", "8Gi".into())],
            image_tag: Some("2026.06.16".into()),
        };
        let merged = merge(Some(existing), &wanted);
        assert_eq!(
            merged,
            "env:\n  - name: ENV\n    value: test\nresources:\n  requests:\n    cpu: \"2\"\n    ephemeral-storage: \"1Gi\"\n    memory: \"4Gi\"\n  limits:\n    nvidia.com/gpu: \"1\"\n    cpu: \"4\"\n    memory: \"8Gi\"\nimage_tag: \"2026.06.16\"\n"
        );
        let back = parse(&merged);
        let r = resources(&back);
        assert_eq!(
            (r.cpu_request.as_deref(), r.memory_limit.as_deref(), r.gpu.as_deref()),
            (Some("2"), Some("8Gi"), Some("1"))
        );
        assert_eq!(image_tag(&back).as_deref(), Some("2026.06.16"));

        let only_tag = merge(Some(existing), &Wanted { image_tag: None, ..wanted.clone() });
        assert!(only_tag.contains("image_tag: old"), "no new tag keeps the old one: {only_tag}");
        let fresh = merge(None, &Wanted { requests: vec![("cpu", "0.5".into())], limits: vec![], image_tag: None });
        assert_eq!(fresh, "resources:\n  requests:\n    cpu: \"0.5\"\n");
    }

    #[test]
    fn quantities_parse_like_kubernetes() {
        let table = [
            ("1", Some(1.0)),
            ("0.5", Some(0.5)),
            ("500m", Some(0.5)),
            ("2Gi", Some(2.0 * GIB)),
            ("512Mi", Some(512.0 * 1024.0 * 1024.0)),
            ("1e3", Some(1000.0)),
            ("2G", Some(2e9)),
            ("2GB", None),
            ("2 Gi", None),
            ("-1", None),
            ("", None),
            ("Gi", None),
            ("1.2.3", None),
        ];
        for (text, want) in table {
            assert_eq!(parse_quantity(text), want, "{text:?}");
        }
        assert_eq!(check_quantity("2Gi", true), None);
        assert!(check_quantity("2", true).is_some_and(|m| m.contains("2Gi")));
        assert!(check_quantity("0", false).is_some_and(|m| m.contains("more than zero")));
        assert!(check_quantity("2GB", true).is_some_and(|m| m.contains("Kubernetes quantity")));
    }
}
