//! The sign-in service's token endpoint and revocation: every call a form POST through `Http`,
//! answers read as token sets or refusals, and no secret that was sent ever shown back.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::Method;
use serde::Deserialize;

use super::{printable, AuthSettings, ACCESS_TOKEN, EXPIRES_AT, REFRESH_TOKEN, SECRET_FIELDS};
use crate::error::{Error, Result};
use crate::secrets::Credentials;

/// Trades a refresh token for new tokens. A refusal (revoked, expired, rotated away) is
/// `Unauthorized`; an unreachable or failing sign-in service is `Unavailable`.
pub async fn refresh(settings: &AuthSettings, refresh_token: &str) -> Result<TokenSet> {
    let form = [
        ("grant_type", "refresh_token"),
        ("client_id", settings.client_id.as_str()),
        ("refresh_token", refresh_token),
        ("scope", settings.scope.as_str()),
    ];
    match token_request(settings, &form).await? {
        TokenAnswer::Tokens(t) => Ok(t),
        TokenAnswer::Refused(r) => Err(Error::Unauthorized(format!("the refresh was refused: {r}"))),
    }
}

/// Revokes a refresh token (Auth0 revokes only refresh tokens this way).
pub async fn revoke(settings: &AuthSettings, refresh_token: &str) -> Result<()> {
    let form = [("client_id", settings.client_id.as_str()), ("token", refresh_token)];
    let (status, body) = post_form(settings, &["oauth", "revoke"], &form).await?;
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(refusal_error(status, &body, "exalsius did not revoke the sign-in"))
    }
}

/// A token endpoint's success. `Debug` shows no token.
#[derive(Clone, Deserialize)]
pub struct TokenSet {
    pub access_token: String,
    #[serde(default)]
    pub refresh_token: Option<String>,
    #[serde(default)]
    pub expires_in: Option<i64>,
}

impl std::fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSet")
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "<redacted>"))
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

impl TokenSet {
    /// Credentials for these tokens; without a new refresh token the previous one is kept
    /// (no rotation), as the CLI does.
    pub fn credentials(&self, previous_refresh: Option<&str>) -> Credentials {
        let mut c = Credentials::single(ACCESS_TOKEN, self.access_token.clone());
        if let Some(r) = self.refresh_token.as_deref().filter(|r| !r.is_empty()).or(previous_refresh) {
            c.set(REFRESH_TOKEN, r);
        }
        let expires = jwt_exp(&self.access_token)
            .or_else(|| self.expires_in.map(|s| chrono::Utc::now().timestamp() + s))
            .map(|e| e.to_string());
        if let Some(e) = expires {
            c.set(EXPIRES_AT, e);
        }
        c
    }
}

/// The `exp` claim of a JWT, read without checking the signature (only to plan a refresh).
pub fn jwt_exp(token: &str) -> Option<i64> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    claims.get("exp")?.as_i64()
}

/// `{error, error_description}` from Auth0.
#[derive(Debug, Deserialize)]
pub struct Refusal {
    pub error: String,
    #[serde(default)]
    pub error_description: Option<String>,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.error_description.as_deref().filter(|d| !d.trim().is_empty()) {
            Some(d) => write!(f, "{} ({})", printable(&self.error), printable(d)),
            None => f.write_str(&printable(&self.error)),
        }
    }
}

pub(super) enum TokenAnswer {
    Tokens(TokenSet),
    Refused(Refusal),
}

pub(super) async fn token_request(settings: &AuthSettings, form: &[(&str, &str)]) -> Result<TokenAnswer> {
    let (status, body) = post_form(settings, &["oauth", "token"], form).await?;
    if (200..300).contains(&status) {
        let tokens: TokenSet = serde_json::from_str(&body).map_err(|_| Error::BadResponse {
            message: format!("the exalsius sign-in service answered {status} with a body that is not a token response"),
        })?;
        if tokens.access_token.is_empty() {
            return Err(Error::BadResponse { message: "the exalsius sign-in service issued no access token".into() });
        }
        return Ok(TokenAnswer::Tokens(tokens));
    }
    if (400..500).contains(&status) {
        if let Ok(r) = serde_json::from_str::<Refusal>(&body) {
            return Ok(TokenAnswer::Refused(r));
        }
    }
    Err(refusal_error(status, &body, "the exalsius sign-in service failed"))
}

/// The body is never quoted: a token endpoint's answer may hold tokens.
pub(super) fn refusal_error(status: u16, body: &str, what: &str) -> Error {
    let reason = serde_json::from_str::<Refusal>(body).map(|r| format!(": {r}")).unwrap_or_default();
    let msg = format!("{what} (HTTP {status}){reason}");
    match status {
        400..=499 => Error::Unauthorized(msg),
        _ => Error::Unavailable(msg),
    }
}

/// Posts a form to the sign-in service through `Http` (sent once; a redirect to another origin
/// is an error, never followed). A refusal's body comes back without the secrets the form
/// carried, in case the service echoed them.
pub(super) async fn post_form(settings: &AuthSettings, path: &[&str], form: &[(&str, &str)]) -> Result<(u16, String)> {
    let http = settings.http()?;
    let request = http.request(Method::POST, path).form(form).header(reqwest::header::ACCEPT, "application/json");
    let resp = http.send(request, false).await?;
    if resp.is_success() {
        return Ok((resp.status, resp.body));
    }
    let secrets: Vec<&str> =
        form.iter().filter(|(k, v)| SECRET_FIELDS.contains(k) && !v.is_empty()).map(|(_, v)| *v).collect();
    Ok((resp.status, without_secrets(resp.body, &secrets)))
}

/// `body` with every occurrence of `secrets` replaced, in its JSON strings (whatever escapes
/// spell them) or, for a body that is not JSON, in its text.
pub(super) fn without_secrets(body: String, secrets: &[&str]) -> String {
    fn scrub(value: &mut serde_json::Value, secrets: &[&str]) {
        match value {
            serde_json::Value::String(text) => {
                for secret in secrets {
                    *text = text.replace(secret, "<redacted>");
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|v| scrub(v, secrets)),
            serde_json::Value::Object(fields) => fields.values_mut().for_each(|v| scrub(v, secrets)),
            _ => {}
        }
    }
    if secrets.is_empty() {
        return body;
    }
    match serde_json::from_str::<serde_json::Value>(&body) {
        Ok(mut json) => {
            scrub(&mut json, secrets);
            json.to_string()
        }
        Err(_) => secrets.iter().fold(body, |text, secret| text.replace(secret, "<redacted>")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_take_the_jwt_expiry_and_keep_an_unrotated_refresh_token() {
        let payload = URL_SAFE_NO_PAD.encode(br#"{"sub":"auth0|x","exp":1900000000}"#);
        let jwt = format!("eyJhbGciOiJSUzI1NiJ9.{payload}.c2ln");
        assert_eq!(jwt_exp(&jwt), Some(1_900_000_000));
        assert_eq!(jwt_exp("not-a-jwt"), None);
        let t: TokenSet =
            serde_json::from_str(&format!(r#"{{"access_token":"{jwt}","token_type":"Bearer","expires_in":60}}"#))
                .unwrap();
        let c = t.credentials(Some("old-refresh"));
        assert_eq!(c.get(REFRESH_TOKEN), Some("old-refresh"));
        assert_eq!(c.get(EXPIRES_AT), Some("1900000000"));
        assert!(!format!("{t:?}{c:?}").contains(&jwt));
        let rotated: TokenSet =
            serde_json::from_str(r#"{"access_token":"opaque","refresh_token":"new-refresh","expires_in":60}"#).unwrap();
        let c = rotated.credentials(Some("old-refresh"));
        assert_eq!(c.get(REFRESH_TOKEN), Some("new-refresh"));
        let at: i64 = c.get(EXPIRES_AT).unwrap().parse().unwrap();
        assert!((at - chrono::Utc::now().timestamp() - 60).abs() <= 2);
    }

    #[test]
    fn refusals_never_quote_anything_but_error_and_description() {
        let e = refusal_error(
            403,
            r#"{"error":"invalid_grant","error_description":"Unknown or invalid refresh token.","refresh_token":"rt-secret"}"#,
            "x",
        );
        assert!(matches!(e, Error::Unauthorized(_)));
        assert!(e.to_string().contains("invalid_grant (Unknown or invalid refresh token.)"), "{e}");
        assert!(!e.to_string().contains("rt-secret"));
        assert!(matches!(refusal_error(503, "<html>", "x"), Error::Unavailable(_)));
    }

    #[test]
    fn echoed_secrets_are_scrubbed_however_the_json_spells_them() {
        let body = r#"{"error":"invalid_grant","error_description":"token a\/b\u0063 is gone"}"#.to_string();
        let scrubbed = without_secrets(body, &["a/bc"]);
        assert!(!scrubbed.contains("a/bc") && !scrubbed.contains("a\\/b"), "{scrubbed}");
        let r: Refusal = serde_json::from_str(&scrubbed).unwrap();
        assert_eq!(r.to_string(), "invalid_grant (token <redacted> is gone)");
        assert_eq!(without_secrets("plain a/bc text".into(), &["a/bc"]), "plain <redacted> text");
    }
}
