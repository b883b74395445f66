//! The one HTTP layer every provider goes through: base-URL rules (https, or http on loopback),
//! timeouts, bounded retries for idempotent calls, status → typed error, and redaction of every
//! credential from anything a response could carry into an error message.

use std::net::IpAddr;
use std::time::Duration;

use reqwest::{Method, RequestBuilder};
use serde::de::DeserializeOwned;
use url::Url;

use crate::error::{Error, Result};
use crate::secrets::Credentials;

#[derive(Debug, Clone, Copy)]
pub struct HttpSettings {
    pub connect_timeout: Duration,
    /// Whole-request limit: a server that never answers, or trickles its body, ends here.
    pub timeout: Duration,
    pub retries: u32,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings { connect_timeout: Duration::from_secs(5), timeout: Duration::from_secs(20), retries: 2 }
    }
}

/// The longest Retry-After Hangar believes: a server asking for more is polled again after this.
pub const MAX_RETRY_AFTER_SECS: u64 = 3600;
/// Longest Retry-After an idempotent call waits out by itself before retrying.
const MAX_RETRY_AFTER_WAIT_SECS: u64 = 3;
const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;
const EXCERPT_CHARS: usize = 160;
const REDACTED: &str = "<redacted>";

pub fn is_loopback_host(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// Checks a user-given base URL: `https://`, or `http://` on a loopback host only.
pub fn validate_base_url(text: &str) -> Result<Url> {
    let bad = |why: &str| Error::invalid("base_url", format!("base URL '{text}' {why}"));
    let url = Url::parse(text.trim()).map_err(|_| bad("is not a valid URL"))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback_host(&url) => {}
        "http" => {
            return Err(bad("must use https:// (plain http:// is allowed only for 127.0.0.1, localhost and [::1])"))
        }
        _ => return Err(bad("must start with https://")),
    }
    if url.host().is_none() {
        return Err(bad("has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("must not contain a user name or password; credentials go to the keyring"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("must not have a query or fragment"));
    }
    Ok(url)
}

/// A response read whole (bounded), its body already redacted.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub retry_after_secs: Option<u64>,
    pub body: String,
    what: String,
    /// Where a redirect pointed (scheme, host and port only).
    location_origin: Option<String>,
}

/// Why one attempt failed, and whether asking again could help.
enum Failure {
    /// The connection could not be made or broke: worth another attempt for idempotent calls.
    Retryable(Error),
    /// The server took too long or sent too much: asking again would cost as much again.
    Final(Error),
}

impl RawResponse {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The call this answers, for messages: vendor, method and path (redacted).
    pub fn what(&self) -> &str {
        &self.what
    }

    fn is_redirect(&self) -> bool {
        (300..400).contains(&self.status) && self.status != 304
    }

    /// Parses the body, or says what came instead (HTML, truncation...) and where. A body that
    /// failed to parse is never quoted: an answer cut off mid-way may hold a fresh token that no
    /// redaction list knows yet.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_str(&self.body).map_err(|e| {
            let at = format!("at line {} column {}", e.line(), e.column());
            let shape = if self.body.trim_start().starts_with('<') {
                "an HTML page instead of JSON".to_string()
            } else if self.body.trim().is_empty() {
                "an empty body instead of JSON".to_string()
            } else if e.is_eof() {
                format!("a truncated JSON body (it ends {at})")
            } else if e.is_syntax() {
                format!("malformed JSON ({at})")
            } else {
                format!("JSON that does not match its API ({})", mismatch(&e))
            };
            Error::BadResponse { message: format!("{} answered {shape}", self.what) }
        })
    }

    /// Maps a non-2xx status to its meaning, with the vendor's own message where it gave one.
    pub fn status_error(&self, vendor_message: Option<String>, field: Option<String>) -> Error {
        let detail = vendor_message.filter(|m| !m.trim().is_empty()).unwrap_or_else(|| {
            if self.body.trim_start().starts_with('<') || self.body.trim().is_empty() {
                reason(self.status).to_string()
            } else {
                excerpt(&self.body)
            }
        });
        let msg = format!("{} answered {} {}: {detail}", self.what, self.status, reason(self.status));
        match self.status {
            400 | 422 => Error::InvalidInput { field, message: msg },
            401 | 403 => Error::Unauthorized(msg),
            404 | 410 => Error::NotFound(msg),
            409 => Error::Conflict(msg),
            429 => Error::RateLimited {
                retry_after_secs: self.retry_after_secs,
                message: match self.retry_after_secs {
                    Some(s) => format!("{msg} (retry in {s} s)"),
                    None => msg,
                },
            },
            s if s >= 500 => Error::Unavailable(msg),
            _ => Error::BadResponse { message: msg },
        }
    }
}

/// An already parsed answer read as `T`; a mismatch is described like `RawResponse::json` does.
pub fn decode_value<T: DeserializeOwned>(value: serde_json::Value, what: &str) -> Result<T> {
    serde_json::from_value(value).map_err(|e| Error::BadResponse {
        message: format!("{what} answered JSON that does not match its API ({})", mismatch(&e)),
    })
}

/// What did not match, in serde's words only where they name our own fields: its other messages
/// quote the vendor's value ("invalid type: string \"...\""), which may be a token.
fn mismatch(e: &serde_json::Error) -> String {
    let detail = e.to_string();
    let place = match e.line() {
        0 => String::new(),
        line => format!(" at line {line} column {}", e.column()),
    };
    match detail.starts_with("missing field") {
        true => detail,
        false => format!("a value of the wrong type or kind{place}"),
    }
}

fn reason(status: u16) -> &'static str {
    reqwest::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("")
}

/// The start of an error body for a message: one line, short, and with anything that looks
/// like a credential (a long unbroken run of token characters) masked, since a vendor may echo
/// a token that Hangar has not stored yet.
fn excerpt(body: &str) -> String {
    let mut out = String::new();
    let mut shown = 0;
    for word in body.split_whitespace() {
        if shown >= EXCERPT_CHARS {
            out.push('…');
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        let word = mask_opaque_runs(word);
        let room = EXCERPT_CHARS - shown;
        out.extend(word.chars().filter(|c| !c.is_control()).take(room));
        shown += word.chars().count().min(room) + 1;
    }
    out
}

/// Runs of this many token characters or more are masked in excerpts.
const OPAQUE_RUN: usize = 20;

fn mask_opaque_runs(word: &str) -> String {
    let is_token_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~' | '+' | '/' | '=');
    let mut out = String::with_capacity(word.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        let looks_like_secret = run.len() >= OPAQUE_RUN && run.chars().any(|c| c.is_ascii_digit());
        out.push_str(if looks_like_secret { REDACTED } else { run.as_str() });
        run.clear();
    };
    for c in word.chars() {
        if is_token_char(c) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// One client per process, timeout setting and scheme, shared by every account. An https
/// client loads the system's certificate store when it is built, which costs more than a
/// whole request on loopback; an http:// base (loopback only, see `validate_base_url`) gets a
/// client that never loads it and so trusts no certificate: were it ever redirected to https,
/// the handshake would fail rather than go unverified.
fn shared_client(settings: HttpSettings, https: bool) -> Result<reqwest::Client> {
    type Key = (Duration, Duration, bool);
    static CLIENTS: std::sync::OnceLock<std::sync::Mutex<Vec<(Key, reqwest::Client)>>> = std::sync::OnceLock::new();
    let key = (settings.connect_timeout, settings.timeout, https);
    let clients = CLIENTS.get_or_init(Default::default);
    let mut clients = clients.lock().map_err(|_| Error::Internal("HTTP client cache poisoned".into()))?;
    if let Some((_, c)) = clients.iter().find(|(k, _)| *k == key) {
        return Ok(c.clone());
    }
    let client = reqwest::Client::builder()
        .connect_timeout(settings.connect_timeout)
        .timeout(settings.timeout)
        .user_agent(concat!("hangar/", env!("CARGO_PKG_VERSION")))
        .redirect(same_origin_redirects())
        .tls_built_in_root_certs(https)
        .build()
        .map_err(|e| Error::Internal(format!("HTTP client: {e}")))?;
    clients.push((key, client.clone()));
    Ok(client)
}

/// Credentials go only to the origin an account was saved with: a redirect that changes
/// scheme, host or port is not followed (the 3xx comes back and becomes an error), so neither a
/// header nor a re-sent body ever reaches another host, and https never turns into http.
fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let Some(first) = attempt.previous().first() else { return attempt.stop() };
        if attempt.previous().len() > MAX_REDIRECTS {
            attempt.error("too many redirects")
        } else if first.origin() == attempt.url().origin() {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

const MAX_REDIRECTS: usize = 3;

/// One provider account's HTTP client.
#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
    base: Url,
    secrets: Vec<String>,
    vendor: String,
    settings: HttpSettings,
}

impl Http {
    pub fn new(base_url: &str, vendor: &str, creds: &Credentials, settings: HttpSettings) -> Result<Self> {
        let base = validate_base_url(base_url)?;
        let client = shared_client(settings, base.scheme() == "https")?;
        Ok(Http {
            client,
            base,
            secrets: creds.values().map(str::to_string).collect(),
            vendor: vendor.into(),
            settings,
        })
    }

    pub fn base(&self) -> &Url {
        &self.base
    }

    /// Adds a secret learnt later (a refreshed or signed-in token) to the redaction list.
    pub fn add_secret(&mut self, secret: &str) {
        if !secret.is_empty() {
            self.secrets.push(secret.to_string());
        }
    }

    /// The base URL plus path segments, each percent-encoded (an id can never change the path;
    /// a last empty segment makes a trailing slash). The facade refuses ids such as `..` before any call; should one get here anyway, it is
    /// sent as a literal name (`%252E%252E`) rather than dropped by URL normalisation, so it
    /// can never address the collection or a sibling path.
    pub fn endpoint(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments.iter().map(|s| match *s {
                "." => "%2E",
                ".." => "%2E%2E",
                s => s,
            }));
        }
        url
    }

    pub fn request(&self, method: Method, segments: &[&str]) -> RequestBuilder {
        self.client.request(method, self.endpoint(segments))
    }

    pub fn redact(&self, text: &str) -> String {
        self.redact_owned(text.to_string())
    }

    /// Redacts in the string it is given; a copy is made only when a secret does occur.
    fn redact_owned(&self, mut text: String) -> String {
        for s in self.secrets.iter().filter(|s| s.len() >= 4) {
            if text.contains(s.as_str()) {
                text = text.replace(s.as_str(), REDACTED);
            }
        }
        text
    }

    /// Sends a request and reads its body. Idempotent requests are retried on connection
    /// failures and 502/503/504 while the first attempt's timeout has not run out; others are
    /// sent exactly once. A server that does not answer in time is not asked again: a hung
    /// server costs one timeout, not one per retry.
    pub async fn send(&self, request: RequestBuilder, idempotent: bool) -> Result<RawResponse> {
        let attempts = if idempotent { self.settings.retries + 1 } else { 1 };
        let deadline = tokio::time::Instant::now() + self.settings.timeout;
        let mut last = None;
        for attempt in 0..attempts {
            if attempt > 0 {
                let pause = Duration::from_millis(250 * u64::from(attempt));
                if tokio::time::Instant::now() + pause >= deadline {
                    break;
                }
                tokio::time::sleep(pause).await;
            }
            let Some(req) = request.try_clone() else { break };
            match self.send_once(req).await {
                Ok(r) if idempotent && matches!(r.status, 502..=504) => last = Some(Ok(r)),
                Ok(r) if r.is_redirect() => return Err(self.redirect_error(&r)),
                // A short Retry-After is worth waiting for; a long one goes back to the caller
                // (the watcher honours it) instead of blocking a command.
                Ok(r) if idempotent && r.status == 429 && attempt + 1 < attempts => {
                    match r.retry_after_secs.filter(|s| *s <= MAX_RETRY_AFTER_WAIT_SECS) {
                        Some(secs) => {
                            tokio::time::sleep(Duration::from_secs(secs)).await;
                            last = Some(Ok(r));
                        }
                        None => return Ok(r),
                    }
                }
                Err(Failure::Retryable(e)) if idempotent => last = Some(Err(e)),
                Err(Failure::Retryable(e) | Failure::Final(e)) => return Err(e),
                Ok(done) => return Ok(done),
            }
        }
        last.unwrap_or_else(|| Err(Error::Internal("request could not be sent".into())))
    }

    async fn send_once(&self, request: RequestBuilder) -> Result<RawResponse, Failure> {
        let req = request.build().map_err(|e| self.transport_error(&e))?;
        let method = req.method().clone();
        let what = format!("{} ({} {})", self.vendor, method, self.redact(req.url().path()));
        tracing::debug!(%what, "request");
        let mut resp = self.client.execute(req).await.map_err(|e| self.transport_error(&e))?;
        let status = resp.status().as_u16();
        let retry_after_secs = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(|secs| secs.min(MAX_RETRY_AFTER_SECS));
        let location_origin = resp
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|l| resp.url().join(l).ok())
            .map(|u| u.origin().ascii_serialization());
        let announced = resp.content_length().and_then(|n| usize::try_from(n).ok()).unwrap_or(0);
        let mut bytes = Vec::with_capacity(announced.min(MAX_BODY_BYTES));
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    if bytes.len() + chunk.len() > MAX_BODY_BYTES {
                        return Err(Failure::Final(Error::BadResponse {
                            message: format!("{what} sent a body over 32 MiB"),
                        }));
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) if e.is_timeout() => {
                    return Err(Failure::Final(Error::Unavailable(format!(
                        "{what} did not finish its answer within {} s",
                        self.settings.timeout.as_secs()
                    ))))
                }
                Err(_) => {
                    // A body cut off mid-way: keep what came; parsing reports the truncation.
                    break;
                }
            }
        }
        let body = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        };
        let body = self.redact_owned(body);
        Ok(RawResponse { status, retry_after_secs, body, what, location_origin })
    }

    fn redirect_error(&self, r: &RawResponse) -> Error {
        let to = r.location_origin.as_deref().unwrap_or("another address");
        Error::BadResponse {
            message: format!(
                "{} answered {} {} to {to}; Hangar sends an account's credentials only to its own base URL \
                 ({}), so it did not follow. If the service has moved, edit the account's base URL",
                r.what,
                r.status,
                reason(r.status),
                self.base.origin().ascii_serialization()
            ),
        }
    }

    fn transport_error(&self, e: &reqwest::Error) -> Failure {
        let error = self.transport_error_of(e);
        match e.is_timeout() {
            true => Failure::Final(error),
            false => Failure::Retryable(error),
        }
    }

    fn transport_error_of(&self, e: &reqwest::Error) -> Error {
        let host = self.base.host_str().unwrap_or("?");
        let why = if e.is_timeout() {
            format!("no answer within {} s", self.settings.timeout.as_secs())
        } else if e.is_connect() {
            "connection refused or host unreachable".to_string()
        } else if e.is_builder() {
            "the request could not be built".to_string()
        } else {
            "the connection failed".to_string()
        };
        Error::Unavailable(format!("{} at {host}: {why}", self.vendor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_is_refused_except_on_loopback() {
        assert!(validate_base_url("http://example.com").is_err());
        assert!(validate_base_url("http://10.0.0.1:8080").is_err());
        assert!(validate_base_url("ftp://example.com").is_err());
        assert!(validate_base_url("https://user:pw@example.com").is_err());
        assert!(validate_base_url("https://api.runaether.dev").is_ok());
        for ok in ["http://127.0.0.1:9", "http://127.8.0.3", "http://localhost:1", "http://[::1]:5"] {
            assert!(validate_base_url(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn endpoint_keeps_the_base_path_and_encodes_ids() {
        let http =
            Http::new("https://h.example/api/v1/", "x", &Credentials::default(), HttpSettings::default()).unwrap();
        assert_eq!(http.endpoint(&["workspaces", "a/b?c"]).as_str(), "https://h.example/api/v1/workspaces/a%2Fb%3Fc");
    }

    #[test]
    fn redaction_removes_every_credential() {
        let creds = Credentials::single("token", "tok_abcdef");
        let http = Http::new("https://h.example", "x", &creds, HttpSettings::default()).unwrap();
        assert_eq!(http.redact("bad token tok_abcdef"), "bad token <redacted>");
    }
}
