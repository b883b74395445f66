//! Hostile answers for the decoders' property tests: JSON shaped like a contract's example,
//! then bent (fields dropped, added, retyped; odd strings and numbers; deep nesting; lists of
//! mixed shapes), and the same as raw text bent further (cut off, garbage inserted, numbers
//! past f64, duplicate keys, nesting past the parser's limit, bytes that are not UTF-8).

use std::cell::Cell;

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};
use serde_json::{json, Map, Value};

/// The seed when `PROPTEST_RNG_SEED` does not name one: the same cases on every run, so a
/// red build is never luck. Explore with other seeds by setting the variable.
const SEED: u64 = 0x4841_4e47_4152;

/// Runs one property for `cases` cases and prints how many ran (the suite's total is the
/// sum of these lines). No failure file is written: a failure prints its smallest input.
pub fn check<S>(name: &str, cases: u32, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S: Strategy,
    S::Value: std::fmt::Debug,
{
    let mut config = Config { cases, failure_persistence: None, max_shrink_iters: 2048, ..Config::default() };
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        config.rng_seed = RngSeed::Fixed(SEED);
    }
    let ran = Cell::new(0u64);
    let outcome = TestRunner::new(config).run(&strategy, |input| {
        ran.set(ran.get() + 1);
        test(input)
    });
    eprintln!("property {name}: {} cases run", ran.get());
    if let Err(e) = outcome {
        panic!("property {name} failed: {e}");
    }
}

/// Strings a vendor could send where a name, id, state or date is expected.
pub fn odd_string() -> BoxedStrategy<String> {
    let fixed = prop::sample::select(vec![
        "",
        " ",
        "\t\n",
        "\u{0}",
        "\x1b[31mred\x1b[0m",
        "\x1b]0;title\x07",
        "\u{202e}gnp.exe\u{202c}",
        "\u{feff}",
        "..",
        ".",
        "/",
        "../../etc/passwd",
        "a/b?c#d",
        "a b",
        "%2e%2e",
        "\\",
        "\"",
        "'",
        "😀🚀👩‍👩‍👧",
        "日本語のワークスペース",
        "é",
        "2025-13-45T99:99:99Z",
        "0000-00-00T00:00:00Z",
        "+275760-09-13T00:00:00Z",
        "-262144-01-01T00:00:00Z",
        "99999999999-01-01T00:00:00",
        "2025-01-15T10:30:00+99:99",
        "2025-01-15T10:30:00.9999999999999999999Z",
        "NaN",
        "-1",
        "1e308",
        "18446744073709551616",
        "null",
        "true",
        "http://",
        "https://[::1",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "::",
        "1:2",
        "-",
        "[::1]",
        "running",
        "RUNNING",
        "Running",
        "stopped",
        "STOPPED",
        "FAILED",
        "error",
        "Terminated",
        "500m",
        "16Gi",
        "1e999999999Gi",
        "99999999999999999999999",
        "a: b\n c: d",
        "{a: {b: [",
    ])
    .prop_map(str::to_string);
    prop_oneof![
        6 => fixed,
        2 => any::<String>(),
        1 => "[\\x00-\\x1f\\x7f\\u{80}-\\u{9f}]{1,12}",
        1 => (prop::sample::select(vec!['x', 'é', '😀', '\u{1b}']), 1usize..12_000)
            .prop_map(|(c, n)| std::iter::repeat_n(c, n).collect()),
    ]
    .boxed()
}

/// Numbers at and past the edges of what the wire types hold.
pub fn odd_number() -> BoxedStrategy<Value> {
    let fixed = prop::sample::select(vec![
        json!(0),
        json!(-1),
        json!(1),
        json!(-0.0),
        json!(0.5),
        json!(-0.5),
        json!(2.75),
        json!(u64::MAX),
        json!(i64::MIN),
        json!(i64::MAX),
        json!(u64::from(u32::MAX) + 1),
        json!(u32::MAX),
        json!(65536),
        json!(99999),
        json!(1e308),
        json!(-1e308),
        json!(f64::MAX),
        json!(5e-324),
        json!(1e-10),
        json!(9_007_199_254_740_993u64),
    ]);
    prop_oneof![
        4 => fixed,
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<f64>().prop_filter("JSON has no NaN or infinity", |f| f.is_finite()).prop_map(Value::from),
    ]
    .boxed()
}

/// A value nested `depth` levels deep, as arrays or objects.
pub fn nested(depth: usize, as_objects: bool) -> Value {
    let mut v = json!("bottom");
    for _ in 0..depth {
        v = if as_objects { json!({ "k": v }) } else { json!([v]) };
    }
    v
}

/// Any JSON value, small and mixed; `max_depth` keeps a parsed answer's own shape possible
/// (the parser stops at 128 levels, so no real answer is deeper).
pub fn any_value(max_depth: usize) -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        odd_number(),
        odd_string().prop_map(Value::String),
    ];
    let shallow = leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((odd_string(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<String, Value>>())),
        ]
    });
    prop_oneof![
        12 => shallow,
        1 => (1..=max_depth.max(1), any::<bool>()).prop_map(|(d, o)| nested(d, o)),
    ]
    .boxed()
}

/// One change to one node of an answer.
#[derive(Debug, Clone)]
pub enum Mutation {
    /// A string becomes an odd string, a number an odd number, a bool its opposite, a null
    /// either; objects and arrays are left alone. Keeps the answer parseable more often.
    Oddify(String, Value),
    Remove,
    Retype(Value),
    AddField(String, Value),
    /// `x` becomes `[x]`.
    Wrap,
    /// In a list: the item again, or a stranger beside it.
    Append(Value),
}

fn mutation(max_depth: usize) -> impl Strategy<Value = Mutation> {
    prop_oneof![
        8 => (odd_string(), odd_number()).prop_map(|(s, n)| Mutation::Oddify(s, n)),
        3 => Just(Mutation::Remove),
        3 => any_value(max_depth).prop_map(Mutation::Retype),
        1 => (odd_string(), any_value(max_depth)).prop_map(|(k, v)| Mutation::AddField(k, v)),
        1 => Just(Mutation::Wrap),
        1 => any_value(max_depth).prop_map(Mutation::Append),
    ]
}

#[derive(Debug, Clone)]
enum Step {
    Key(String),
    At(usize),
}

fn paths(v: &Value, here: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(here.clone());
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                here.push(Step::Key(k.clone()));
                paths(child, here, out);
                here.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                here.push(Step::At(i));
                paths(child, here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

fn node_mut<'a>(root: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    path.iter().try_fold(root, |v, step| match step {
        Step::Key(k) => v.get_mut(k.as_str()),
        Step::At(i) => v.get_mut(*i),
    })
}

/// Applies `m` at the node `at` picks among all nodes (the root included).
pub fn apply(root: &mut Value, at: &Index, m: &Mutation) {
    let mut all = vec![];
    paths(root, &mut vec![], &mut all);
    let path = at.get(&all).clone();
    if let Mutation::Remove = m {
        let Some((last, parent)) = path.split_last() else {
            *root = Value::Null;
            return;
        };
        match (node_mut(root, parent), last) {
            (Some(Value::Object(o)), Step::Key(k)) => {
                o.remove(k);
            }
            (Some(Value::Array(a)), Step::At(i)) if *i < a.len() => {
                a.remove(*i);
            }
            _ => {}
        }
        return;
    }
    let Some(node) = node_mut(root, &path) else { return };
    match m {
        Mutation::Oddify(s, n) => match node {
            Value::String(_) => *node = Value::String(s.clone()),
            Value::Number(_) => *node = n.clone(),
            Value::Bool(b) => *b = !*b,
            Value::Null if s.len() % 2 == 0 => *node = Value::String(s.clone()),
            Value::Null => *node = n.clone(),
            _ => {}
        },
        Mutation::Retype(v) => *node = v.clone(),
        Mutation::AddField(k, v) => match node {
            Value::Object(o) => {
                o.insert(k.clone(), v.clone());
            }
            other => *other = v.clone(),
        },
        Mutation::Wrap => *node = Value::Array(vec![node.take()]),
        Mutation::Append(v) => match node {
            Value::Array(a) => {
                let again = a.first().cloned().unwrap_or(Value::Null);
                a.push(again);
                a.push(v.clone());
            }
            other => *other = json!([other.clone(), v.clone()]),
        },
        Mutation::Remove => {}
    }
}

/// `seed` with up to four mutations; none at all sometimes, so valid answers are checked too.
pub fn mutated(seed: Value) -> BoxedStrategy<Value> {
    mutated_within(seed, 100)
}

fn mutated_within(seed: Value, max_depth: usize) -> BoxedStrategy<Value> {
    prop::collection::vec((any::<Index>(), mutation(max_depth)), 0..5)
        .prop_map(move |ms| {
            let mut v = seed.clone();
            for (at, m) in &ms {
                apply(&mut v, at, m);
            }
            v
        })
        .boxed()
}

/// One of several seeds (e.g. every state a contract lists), mutated.
pub fn mutated_one_of(seeds: Vec<Value>) -> BoxedStrategy<Value> {
    prop::sample::select(seeds).prop_flat_map(mutated).boxed()
}

/// A change made to the text of an answer, where JSON values cannot reach.
#[derive(Debug, Clone)]
pub enum TextMutation {
    Keep,
    /// Positions are fractions of the text's length, in `u32::MAX`ths.
    Truncate(u32),
    Insert(u32, &'static str),
    /// The first number literal becomes this one.
    Number(&'static str),
    /// The same key twice in the outer object.
    DuplicateKey(&'static str),
    /// `{"deep": [[[…]]], …}`: past the parser's recursion limit.
    Deep(usize),
    /// Bytes that are not UTF-8 (they arrive as U+FFFD, like the HTTP layer reads them).
    NotUtf8(u32),
    ByteOrderMark,
}

fn text_mutation() -> impl Strategy<Value = TextMutation> {
    prop_oneof![
        6 => Just(TextMutation::Keep),
        2 => any::<u32>().prop_map(TextMutation::Truncate),
        2 => (any::<u32>(), prop::sample::select(vec![
            ",", "}", "]", "\"", ":", "{", "\\u0000", "\\ud800", "\\uDFFF", "1e400", "-", "nul", "\u{0}", "//", "NaN",
        ])).prop_map(|(i, s)| TextMutation::Insert(i, s)),
        2 => prop::sample::select(vec![
            "1e400", "-1e400", "123456789012345678901234567890", "-0", "0.0000000000000000000000001", "1E+2",
            "18446744073709551616", "-9223372036854775809",
        ]).prop_map(TextMutation::Number),
        1 => prop::sample::select(vec!["\"id\":5", "\"id\":\"dup\"", "\"status\":\"running\"", "\"name\":null"])
            .prop_map(TextMutation::DuplicateKey),
        1 => (100usize..3000).prop_map(TextMutation::Deep),
        1 => any::<u32>().prop_map(TextMutation::NotUtf8),
        1 => Just(TextMutation::ByteOrderMark),
    ]
}

fn char_floor(text: &str, at: usize) -> usize {
    (0..=at.min(text.len())).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0)
}

pub fn apply_text(text: &str, m: &TextMutation) -> String {
    let at =
        |fraction: &u32| char_floor(text, (text.len() as u64 * u64::from(*fraction) / u64::from(u32::MAX)) as usize);
    match m {
        TextMutation::Keep => text.to_string(),
        TextMutation::Truncate(i) => text[..at(i)].to_string(),
        TextMutation::Insert(i, s) => {
            let cut = at(i);
            format!("{}{s}{}", &text[..cut], &text[cut..])
        }
        TextMutation::Number(n) => {
            let start = text.find(|c: char| c.is_ascii_digit());
            match start {
                Some(s) => {
                    let end = text[s..]
                        .find(|c: char| !(c.is_ascii_digit() || ".eE+-".contains(c)))
                        .map_or(text.len(), |e| s + e);
                    format!("{}{n}{}", &text[..s], &text[end..])
                }
                None => text.to_string(),
            }
        }
        TextMutation::DuplicateKey(kv) => match text.find('{') {
            Some(o) if text[o + 1..].trim_start().starts_with('}') => format!("{}{kv}{}", &text[..=o], &text[o + 1..]),
            Some(o) => format!("{}{kv},{}", &text[..=o], &text[o + 1..]),
            None => text.to_string(),
        },
        TextMutation::Deep(n) => {
            let deep = format!("\"deep\":{}{}", "[".repeat(*n), "]".repeat(*n));
            match text.find('{') {
                Some(o) if text[o + 1..].trim_start().starts_with('}') => {
                    format!("{}{deep}{}", &text[..=o], &text[o + 1..])
                }
                Some(o) => format!("{}{deep},{}", &text[..=o], &text[o + 1..]),
                None => format!("{}{text}{}", "[".repeat(*n), "]".repeat(*n)),
            }
        }
        TextMutation::NotUtf8(i) => {
            let mut bytes = text.as_bytes().to_vec();
            let cut = at(i);
            bytes.splice(cut..cut, [0xff, 0xc3, 0x28]);
            String::from_utf8_lossy(&bytes).into_owned()
        }
        TextMutation::ByteOrderMark => format!("\u{feff}{text}"),
    }
}

/// The raw body: `seed` mutated as a value (values may be nested past the parser's limit
/// here), serialized, then mutated as text.
pub fn mutated_text(seed: Value) -> BoxedStrategy<String> {
    (mutated_within(seed, 400), text_mutation())
        .prop_map(|(v, m)| apply_text(&serde_json::to_string(&v).unwrap_or_default(), &m))
        .boxed()
}

pub fn mutated_text_one_of(seeds: Vec<Value>) -> BoxedStrategy<String> {
    prop::sample::select(seeds).prop_flat_map(mutated_text).boxed()
}

/// `{"<key>": [seed, seed, …]}` with a few items, each mutated on its own: lists of mixed shapes.
pub fn mutated_list(key: &'static str, item_seeds: Vec<Value>, wrapper: Value) -> BoxedStrategy<Value> {
    prop::collection::vec(mutated_one_of(item_seeds), 0..5)
        .prop_flat_map(move |items| {
            let mut outer = wrapper.clone();
            if let Value::Object(o) = &mut outer {
                o.insert(key.to_string(), Value::Array(items));
            }
            mutated(outer)
        })
        .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the property suites rely on from serde_json: nesting past 128 levels is an error,
    /// not a stack overflow, wherever it is read; an unknown field is skipped without recursing.
    #[test]
    fn the_parser_refuses_nesting_past_its_limit() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Known {
            id: String,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Kept {
            id: String,
            deep: Option<Value>,
        }
        for depth in [129usize, 1000, 100_000] {
            let text = format!("{{\"id\":\"x\",\"deep\":{}{}}}", "[".repeat(depth), "]".repeat(depth));
            assert!(serde_json::from_str::<Known>(&text).is_ok(), "an unknown field is skipped, however deep");
            let kept = serde_json::from_str::<Kept>(&text).expect_err("too deep to keep");
            assert!(kept.to_string().contains("recursion limit"), "{kept}");
            let value = serde_json::from_str::<Value>(&text).expect_err("too deep for a value");
            assert!(value.to_string().contains("recursion limit"), "{value}");
        }
        assert!(serde_json::from_str::<Value>(&format!("{}{}", "[".repeat(100), "]".repeat(100))).is_ok());
    }

    #[test]
    fn mutations_reach_every_node_and_text_mutations_keep_char_boundaries() {
        let seed = json!({"a": {"b": [1, "x", null]}, "c": true});
        let mut all = vec![];
        paths(&seed, &mut vec![], &mut all);
        assert_eq!(all.len(), 7, "root, a, b, three items, c");
        let text = "{\"name\":\"日本語\"}";
        for i in 0..=64u32 {
            let at = u32::MAX / 64 * i;
            for m in [TextMutation::Truncate(at), TextMutation::Insert(at, "\""), TextMutation::NotUtf8(at)] {
                let _ = apply_text(text, &m);
            }
        }
        assert_eq!(apply_text(text, &TextMutation::Truncate(u32::MAX)), text);
    }
}
