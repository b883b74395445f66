//! What a decoder fed a hostile answer may give back: a sensible workspace or form, or a
//! typed error. And the way a hostile body reaches a provider through the HTTP layer: a demo
//! cloud of the vendor answers it once, in place of its own answer.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use crate::error::Error;
use crate::form::{FieldKind, Form};
use crate::http::HttpSettings;
use crate::model::{Account, Hardware, LinkKind, ProviderId, Workspace};
use crate::provider::{self, Provider, ProviderContext};
use crate::secrets::{Credentials, MemoryStore};

fn fail(what: String) -> Result<(), TestCaseError> {
    Err(TestCaseError::fail(what))
}

/// Counts that are numbers of something, finite and not negative; a GPU is at least one.
pub fn sensible_hardware(h: &Hardware) -> Result<(), TestCaseError> {
    for (what, v) in [("cpus", h.cpus), ("memory_gb", h.memory_gb)] {
        if let Some(v) = v.filter(|v| !v.is_finite() || *v < 0.0) {
            return fail(format!("hardware {what} is {v}: {h:?}"));
        }
    }
    if let Some(g) = &h.gpu {
        if g.count == 0 || g.kind.trim().is_empty() {
            return fail(format!("a GPU entry without GPUs: {h:?}"));
        }
    }
    if h.label.as_deref().is_some_and(|l| l.trim().is_empty()) {
        return fail(format!("an empty hardware label: {h:?}"));
    }
    Ok(())
}

/// What every shell relies on: an id to address it by, a name to show, links that open,
/// SSH aliases that fit a config file, each action once.
pub fn sensible_workspace(w: &Workspace, provider: ProviderId, account: &str) -> Result<(), TestCaseError> {
    if w.id.trim().is_empty() {
        return fail(format!("a workspace without an id: {w:?}"));
    }
    if w.name.trim().is_empty() {
        return fail(format!("a workspace without a name: {w:?}"));
    }
    if w.provider != provider || w.account != account {
        return fail(format!("a workspace of another account: {w:?}"));
    }
    sensible_hardware(&w.hardware)?;
    let mut seen = HashSet::new();
    if let Some(a) = w.actions.iter().find(|a| !seen.insert(**a)) {
        return fail(format!("action {a:?} twice: {w:?}"));
    }
    for link in &w.links {
        let Ok(url) = crate::platform::check_openable(&link.url) else {
            return fail(format!("a link Hangar would not open: {link:?}"));
        };
        let scheme_ok = match link.kind {
            LinkKind::Browser => matches!(url.scheme(), "http" | "https"),
            LinkKind::Ssh => url.scheme() == "ssh",
            ide => crate::ide::ide(ide).is_some_and(|i| i.scheme == url.scheme()),
        };
        if !scheme_ok {
            return fail(format!("a {:?} link with scheme {}: {link:?}", link.kind, url.scheme()));
        }
        if let Some(alias) = &link.ssh_alias {
            if alias.is_empty() || !alias.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')) {
                return fail(format!("an SSH alias unfit for a config file: {link:?}"));
            }
        }
    }
    if let Some((k, _)) = w.details.iter().find(|(k, v)| k.is_empty() || v.trim().is_empty()) {
        return fail(format!("an empty detail '{k}': {w:?}"));
    }
    Ok(())
}

/// A typed error with something to say; `Internal` would mean a bug in Hangar.
pub fn typed_error(e: &Error) -> Result<(), TestCaseError> {
    if matches!(e, Error::Internal(_)) {
        return fail(format!("an internal error for a vendor's answer: {e:?}"));
    }
    if e.to_string().trim().is_empty() {
        return fail(format!("an error without a message: {e:?}"));
    }
    Ok(())
}

/// A form that accepts its own defaults: submitting it untouched fails only on a required
/// field that has no default.
pub fn sensible_form(form: &Form) -> Result<(), TestCaseError> {
    let mut keys = HashSet::new();
    for f in &form.fields {
        if f.key.is_empty() || !keys.insert(f.key.as_str()) {
            return fail(format!("field key '{}' empty or twice", f.key));
        }
        if f.kind == FieldKind::Number {
            let (min, max) = (f.min.unwrap_or(f64::MIN), f.max.unwrap_or(f64::MAX));
            if !(min.is_finite() && max.is_finite() && min <= max) {
                return fail(format!("field '{}' has range {min}..{max}", f.key));
            }
        }
        if f.kind == FieldKind::Choice && f.choices.is_none() {
            return fail(format!("choice field '{}' without choices", f.key));
        }
    }
    match form.validate(&BTreeMap::new()) {
        Ok(_) => Ok(()),
        Err(e) => match e.field().and_then(|k| form.field(k)) {
            Some(f) if f.required && f.default.is_none() => Ok(()),
            _ => fail(format!("the form refuses its own defaults: {e}")),
        },
    }
}

/// Statuses a vendor answers: mostly success (the decoders' path), else every error the
/// HTTP layer and the vendors' error decoders tell apart.
pub fn status() -> BoxedStrategy<u16> {
    prop_oneof![
        3 => Just(200u16),
        1 => prop::sample::select(vec![201u16, 299, 302, 400, 401, 403, 404, 409, 410, 418, 422, 429, 500, 501, 503]),
    ]
    .boxed()
}

/// A demo cloud of one vendor and an account on it, on a runtime of their own.
pub struct OnDemo<D> {
    pub demo: D,
    pub account: String,
    id: ProviderId,
    ctx: (Account, Credentials),
    rt: tokio::runtime::Runtime,
}

impl<D> OnDemo<D> {
    /// `start` starts the demo; `cloud` says how to connect to it.
    pub fn start<F>(start: F, cloud: impl Fn(&D) -> hangar_demo::DemoCloud) -> OnDemo<D>
    where
        F: std::future::Future<Output = std::io::Result<D>>,
    {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a test runtime");
        let demo = rt.block_on(start).expect("the demo cloud starts");
        let c = cloud(&demo);
        let id = ProviderId::parse(c.provider).expect("a known provider");
        let info = provider::info(id).expect("provider info");
        let input = match &c.credentials {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let credentials = Credentials::parse_input(&input, &info.credential_fields[0].key).expect("demo credentials");
        let account = Account { name: c.account.clone(), provider: id, base_url: Some(c.base_url), options: c.options };
        OnDemo { demo, account: c.account, id, ctx: (account, credentials), rt }
    }

    /// A provider with nothing cached yet, so every case asks the demo afresh.
    pub fn connect(&self) -> Arc<dyn Provider> {
        // One attempt per call: a retried fault would be answered by the healthy demo instead.
        let http =
            HttpSettings { connect_timeout: Duration::from_secs(10), timeout: Duration::from_secs(30), retries: 0 };
        let (account, credentials) = self.ctx.clone();
        let ctx = ProviderContext { account, credentials, secrets: Arc::new(MemoryStore::default()), http };
        self.rt.block_on(async { provider::connect(ctx) }).expect("the provider connects")
    }

    pub fn block_on<T>(&self, f: impl std::future::Future<Output = T>) -> T {
        self.rt.block_on(f)
    }
}

/// Checks a provider call's outcome: `Ok` passes `sensible`, `Err` is typed.
pub fn outcome<T>(
    r: &crate::error::Result<T>,
    sensible: impl Fn(&T) -> Result<(), TestCaseError>,
) -> Result<(), TestCaseError> {
    match r {
        Ok(v) => sensible(v),
        Err(e) => typed_error(e),
    }
}

/// A provider call whose answer the demo replaces.
#[derive(Debug, Clone)]
pub enum Call {
    List,
    Get(String),
    CreateForm,
}

impl<D> OnDemo<D> {
    /// Makes the demo answer `status` and `body` once, to the first request whose path holds
    /// `at`, then makes `call` and checks what it gives back.
    pub fn answer(
        &self,
        server: &hangar_demo::DemoServer,
        at: &str,
        status: u16,
        body: &str,
        call: &Call,
    ) -> Result<(), TestCaseError> {
        let asked = |s: &hangar_demo::DemoServer| s.requests().iter().filter(|r| r.contains(at)).count();
        let before = asked(server);
        server.inject(hangar_demo::Fault::status(status, body).on(at));
        let (id, provider) = (self.id, self.connect());
        let checked = match call {
            Call::List => outcome(&self.block_on(provider.list()), |ws| {
                ws.iter().try_for_each(|w| sensible_workspace(w, id, &self.account))
            }),
            Call::Get(ws) => outcome(&self.block_on(provider.get(ws)), |w| sensible_workspace(w, id, &self.account)),
            Call::CreateForm => outcome(&self.block_on(provider.create_form(&BTreeMap::new())), sensible_form),
        };
        // A fault left queued would answer the next case instead: the harness would be wrong.
        if asked(server) == before {
            return fail(format!("{call:?} never asked for '{at}'"));
        }
        checked
    }
}
