//! Typed calls to a vendor's REST API over [`Http`]: the vendor's credentials on every request,
//! a non-2xx answer turned into an `Error` by the vendor's own decoder, answers read as `T`.
//! Every trust property (timeouts, retries of idempotent calls only, same-origin redirects,
//! body caps, redaction) stays in `Http`; this layer only shapes requests and answers.

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, RequestBuilder};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::Serialize;
use url::Url;

use crate::error::{Error, Result};
use crate::http::{Http, RawResponse};

/// Turns a vendor's non-2xx answer into the right error variant and message.
pub type ErrorDecoder = fn(&RawResponse) -> Error;

/// One request: method, path segments, query, JSON body, extra headers, and whether sending it
/// twice is harmless (GET is; anything else only when the caller says so).
#[derive(Clone)]
pub struct Call<'a> {
    method: Method,
    path: &'a [&'a str],
    query: Vec<(&'a str, &'a str)>,
    body: Option<Vec<u8>>,
    headers: HeaderMap,
    idempotent: bool,
}

impl<'a> Call<'a> {
    pub fn new(method: Method, path: &'a [&'a str]) -> Self {
        let idempotent = method == Method::GET;
        Call { method, path, query: vec![], body: None, headers: HeaderMap::new(), idempotent }
    }

    pub fn get(path: &'a [&'a str]) -> Self {
        Call::new(Method::GET, path)
    }

    pub fn post(path: &'a [&'a str]) -> Self {
        Call::new(Method::POST, path)
    }

    pub fn put(path: &'a [&'a str]) -> Self {
        Call::new(Method::PUT, path)
    }

    pub fn patch(path: &'a [&'a str]) -> Self {
        Call::new(Method::PATCH, path)
    }

    pub fn delete(path: &'a [&'a str]) -> Self {
        Call::new(Method::DELETE, path)
    }

    pub fn query(mut self, pairs: &[(&'a str, &'a str)]) -> Self {
        self.query.extend_from_slice(pairs);
        self
    }

    /// The body, serialized as reqwest's `json` would (field order kept).
    pub fn json(mut self, body: &impl Serialize) -> Result<Self> {
        self.body = Some(serde_json::to_vec(body).map_err(|e| Error::Internal(format!("request body: {e}")))?);
        Ok(self)
    }

    pub fn header(mut self, name: &'static str, value: HeaderValue) -> Self {
        self.headers.insert(HeaderName::from_static(name), value);
        self
    }

    /// Marks a non-GET call as safe to send again after a connection failure (a PUT of a value).
    pub fn retry_safe(mut self) -> Self {
        self.idempotent = true;
        self
    }

    pub fn method(&self) -> &Method {
        &self.method
    }

    pub fn path(&self) -> &'a [&'a str] {
        self.path
    }
}

/// One account's REST client: its `Http`, how it authenticates, and how its vendor words errors.
#[derive(Clone)]
pub struct Rest {
    http: Http,
    bearer: Option<SecretString>,
    headers: HeaderMap,
    query: Vec<(&'static str, &'static str)>,
    decode_error: ErrorDecoder,
}

impl Rest {
    pub fn new(http: Http, decode_error: ErrorDecoder) -> Self {
        Rest { http, bearer: None, headers: HeaderMap::new(), query: vec![], decode_error }
    }

    /// `Authorization: Bearer <token>` on every call; the token joins the redaction list.
    pub fn with_bearer(mut self, token: &str) -> Self {
        self.http.add_secret(token);
        self.bearer = Some(SecretString::from(token));
        self
    }

    /// A secret header on every call (an API key). `field` names the credential a value that
    /// cannot be a header came from.
    pub fn with_secret_header(mut self, name: &'static str, value: &str, field: &str) -> Result<Self> {
        self.headers.insert(HeaderName::from_static(name), secret_header(value, field)?);
        Ok(self)
    }

    /// A plain header on every call (`accept`).
    pub fn with_header(mut self, name: &'static str, value: &'static str) -> Self {
        self.headers.insert(HeaderName::from_static(name), HeaderValue::from_static(value));
        self
    }

    /// A query parameter on every call.
    pub fn with_query(mut self, key: &'static str, value: &'static str) -> Self {
        self.query.push((key, value));
        self
    }

    pub fn http(&self) -> &Http {
        &self.http
    }

    pub fn base(&self) -> &Url {
        self.http.base()
    }

    /// Adds a secret learnt later (a new token) to the redaction list.
    pub fn add_secret(&mut self, secret: &str) {
        self.http.add_secret(secret);
    }

    /// A request to `path` with this account's credentials, headers and fixed query.
    pub fn request(&self, method: Method, path: &[&str]) -> RequestBuilder {
        let mut req = self.http.request(method, path).headers(self.headers.clone());
        if let Some(token) = &self.bearer {
            req = req.bearer_auth(token.expose_secret());
        }
        if !self.query.is_empty() {
            req = req.query(&self.query);
        }
        req
    }

    /// Sends a call and reads its answer, whatever its status.
    pub async fn send(&self, call: Call<'_>) -> Result<RawResponse> {
        let mut req = self.request(call.method, call.path).headers(call.headers);
        if !call.query.is_empty() {
            req = req.query(&call.query);
        }
        if let Some(body) = call.body {
            req = req.header(reqwest::header::CONTENT_TYPE, "application/json").body(body);
        }
        self.http.send(req, call.idempotent).await
    }

    /// A 2xx answer as it is; any other through the vendor's decoder.
    pub fn check(&self, resp: RawResponse) -> Result<RawResponse> {
        match resp.is_success() {
            true => Ok(resp),
            false => Err((self.decode_error)(&resp)),
        }
    }

    pub fn error_of(&self, resp: &RawResponse) -> Error {
        (self.decode_error)(resp)
    }

    /// Sends a call; its answer must be a 2xx.
    pub async fn call(&self, call: Call<'_>) -> Result<RawResponse> {
        self.check(self.send(call).await?)
    }

    /// Sends a call and reads its 2xx answer as `T`.
    pub async fn fetch<T: DeserializeOwned>(&self, call: Call<'_>) -> Result<T> {
        self.call(call).await?.json()
    }

    pub async fn get<T: DeserializeOwned>(&self, path: &[&str], query: &[(&str, &str)]) -> Result<T> {
        self.fetch(Call::get(path).query(query)).await
    }

    pub async fn post<T: DeserializeOwned>(&self, path: &[&str], body: &impl Serialize) -> Result<T> {
        self.fetch(Call::post(path).json(body)?).await
    }

    pub async fn put<T: DeserializeOwned>(&self, path: &[&str], body: &impl Serialize) -> Result<T> {
        self.fetch(Call::put(path).json(body)?).await
    }

    pub async fn patch<T: DeserializeOwned>(&self, path: &[&str], body: &impl Serialize) -> Result<T> {
        self.fetch(Call::patch(path).json(body)?).await
    }

    pub async fn delete<T: DeserializeOwned>(&self, path: &[&str]) -> Result<T> {
        self.fetch(Call::delete(path)).await
    }
}

/// A header value that never shows in `Debug` output.
pub fn secret_header(value: &str, field: &str) -> Result<HeaderValue> {
    let mut v = HeaderValue::from_str(value).map_err(|_| {
        Error::invalid(field, format!("the {} has characters an HTTP header cannot carry", label(field)))
    })?;
    v.set_sensitive(true);
    Ok(v)
}

fn label(field: &str) -> String {
    match field {
        "api_key" => "API key".into(),
        "oauth_token" => "OAuth token".into(),
        other => other.replace('_', " "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::HttpSettings;
    use crate::secrets::Credentials;

    fn rest() -> Rest {
        let http = Http::new("https://h.example/api", "x", &Credentials::default(), HttpSettings::default()).unwrap();
        Rest::new(http, |r| r.status_error(None, None))
    }

    #[test]
    fn every_request_carries_the_accounts_credentials_and_fixed_query() {
        let rest = rest()
            .with_bearer("tok_123456")
            .with_secret_header("x-api-key", "key-abc", "api_key")
            .unwrap()
            .with_query("_flag", "true");
        let req = rest.request(Method::GET, &["things"]).build().unwrap();
        assert_eq!(req.url().as_str(), "https://h.example/api/things?_flag=true");
        assert!(req.headers()["x-api-key"].is_sensitive());
        assert_eq!(req.headers()["authorization"].to_str().unwrap(), "Bearer tok_123456");
        assert!(!format!("{req:?}").contains("key-abc"));
        assert_eq!(rest.http().redact("tok_123456"), "<redacted>");
    }

    #[test]
    fn a_key_that_cannot_be_a_header_names_its_field() {
        let err = rest().with_secret_header("x-api-key", "a\nb", "api_key").err().unwrap();
        assert_eq!(err.field(), Some("api_key"));
        assert!(err.to_string().contains("API key"), "{err}");
    }

    #[test]
    fn only_get_is_retried_unless_a_call_says_so() {
        assert!(Call::get(&["a"]).idempotent);
        assert!(!Call::put(&["a"]).idempotent);
        assert!(Call::put(&["a"]).retry_safe().idempotent);
        assert!(!Call::delete(&["a"]).idempotent);
    }
}
