//! Signing in to exalsius (Auth0, contract §2): Authorization Code + PKCE on a loopback
//! redirect (`loopback`), the device-code fallback (`device`), refresh and revoke. Every call to
//! the sign-in service goes through Hangar's `Http` (timeouts, no redirect to another origin, a
//! small body cap); the `oauth2` crate makes the PKCE pair and the CSRF state. Tokens leave this
//! module only inside `Credentials` (whose `Debug` shows no value); no error message here
//! quotes a response body.

mod device;
mod loopback;
mod token;

use std::collections::BTreeMap;
use std::time::Duration;

use oauth2::{CsrfToken, PkceCodeChallenge, PkceCodeVerifier};
use url::Url;

use crate::error::{Error, Result};
use crate::http::{validate_base_url, Http, HttpSettings};
use crate::secrets::Credentials;

pub use device::{poll_device, request_device_code, sign_in_device, DeviceCode};
pub use token::{jwt_exp, refresh, revoke, Refusal, TokenSet};
use token::{token_request, TokenAnswer};

pub const DEFAULT_ISSUER: &str = "https://exalsius.eu.auth0.com/";
/// The official CLI's public native client (no secret).
pub const DEFAULT_CLIENT_ID: &str = "kSbRc9MOnuMKMVLzhZYBo3xkTtk2KK7B";
pub const DEFAULT_AUDIENCE: &str = "https://api.exalsius.ai";
pub const SCOPE: &str = "openid audience profile email offline_access userview nodeagent";
/// The only redirect ports known to be allowed for this client, tried in this order.
pub const LOOPBACK_PORTS: [u16; 4] = [8999, 9000, 9001, 9002];
pub const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// Credential keys.
pub const ACCESS_TOKEN: &str = "access_token";
pub const REFRESH_TOKEN: &str = "refresh_token";
/// Unix seconds; not secret, but kept with the tokens it describes.
pub const EXPIRES_AT: &str = "expires_at";

/// Account option keys.
pub const OPT_AUTH_URL: &str = "auth_url";
pub const OPT_CLIENT_ID: &str = "client_id";
pub const OPT_AUDIENCE: &str = "audience";
pub const OPT_ORGANIZATION: &str = "organization";

const BROWSER_TIMEOUT: Duration = Duration::from_secs(300);
/// Token, device-code and revoke answers are a few hundred bytes; anything near this is not one.
const MAX_ANSWER_BYTES: usize = 1024 * 1024;
/// Form fields whose values are secrets: no error message may show them, even echoed back.
const SECRET_FIELDS: [&str; 5] = ["code", "code_verifier", "device_code", "refresh_token", "token"];
/// Random bytes behind a PKCE verifier: 64 characters once base64url-encoded.
const VERIFIER_BYTES: u32 = 48;

/// Where and as whom to sign in. Defaults are the official CLI's.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// The Auth0 domain, e.g. `https://exalsius.eu.auth0.com/`.
    pub issuer: Url,
    pub client_id: String,
    pub audience: String,
    pub scope: String,
    pub organization: Option<String>,
    /// How long the browser flow waits for the redirect.
    pub browser_timeout: Duration,
    pub http: HttpSettings,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            issuer: Url::parse(DEFAULT_ISSUER).unwrap_or_else(|_| unreachable!("constant URL")),
            client_id: DEFAULT_CLIENT_ID.into(),
            audience: DEFAULT_AUDIENCE.into(),
            scope: SCOPE.into(),
            organization: None,
            browser_timeout: BROWSER_TIMEOUT,
            http: HttpSettings::default(),
        }
    }
}

impl AuthSettings {
    /// Reads `auth_url`, `client_id`, `audience` and `organization` from an account's options.
    pub fn from_options(options: &BTreeMap<String, String>) -> Result<Self> {
        let mut s = AuthSettings::default();
        let opt = |k: &str| options.get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        if let Some(url) = opt(OPT_AUTH_URL) {
            let mut issuer =
                validate_base_url(&url).map_err(|e| Error::invalid(OPT_AUTH_URL, format!("auth_url: {e}")))?;
            if !issuer.path().ends_with('/') {
                let path = format!("{}/", issuer.path());
                issuer.set_path(&path);
            }
            s.issuer = issuer;
        }
        if let Some(c) = opt(OPT_CLIENT_ID) {
            s.client_id = c;
        }
        if let Some(a) = opt(OPT_AUDIENCE) {
            s.audience = a;
        }
        s.organization = opt(OPT_ORGANIZATION);
        Ok(s)
    }

    fn endpoint(&self, path: &str) -> Result<Url> {
        self.issuer.join(path).map_err(|_| Error::invalid(OPT_AUTH_URL, "auth_url cannot hold the sign-in paths"))
    }

    /// The sign-in service's client: no credentials of the account's to redact (a success
    /// carries new tokens, which must come back as they are), answers capped small.
    fn http(&self) -> Result<Http> {
        Ok(Http::new(self.issuer.as_str(), "exalsius sign-in service", &Credentials::default(), self.http)?
            .with_max_body(MAX_ANSWER_BYTES)
            .with_address_setting("sign-in address (auth_url)"))
    }
}

/// A PKCE pair (RFC 7636, S256). `Debug` hides the verifier.
#[derive(Debug)]
pub struct Pkce {
    pub verifier: PkceCodeVerifier,
    pub challenge: PkceCodeChallenge,
}

impl Pkce {
    pub fn generate() -> Pkce {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256_len(VERIFIER_BYTES);
        Pkce { verifier, challenge }
    }
}

/// The browser's first stop: Auth0's `/authorize` with everything the flow needs.
pub fn authorize_url(
    settings: &AuthSettings,
    challenge: &str,
    state: &str,
    nonce: &str,
    redirect_uri: &str,
) -> Result<Url> {
    let mut url = settings.endpoint("authorize")?;
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("response_type", "code")
            .append_pair("client_id", &settings.client_id)
            .append_pair("code_challenge", challenge)
            .append_pair("code_challenge_method", "S256")
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("state", state)
            .append_pair("nonce", nonce)
            .append_pair("audience", &settings.audience)
            .append_pair("scope", &settings.scope);
        if let Some(org) = &settings.organization {
            q.append_pair("organization", org);
        }
    }
    Ok(url)
}

/// Signs in through the system browser: listens on the first free loopback port of
/// [`LOOPBACK_PORTS`], calls `open_browser` with the authorize URL, waits for the redirect,
/// checks `state` and exchanges the code. Returns `access_token`, `refresh_token` and
/// `expires_at` credentials.
pub async fn sign_in_pkce(settings: &AuthSettings, open_browser: impl Fn(&str) -> Result<()>) -> Result<Credentials> {
    let (listener, port) = loopback::bind().await?;
    let redirect_uri = format!("http://127.0.0.1:{port}/callback");
    let pkce = Pkce::generate();
    let (state, nonce) = (CsrfToken::new_random(), CsrfToken::new_random());
    let url = authorize_url(settings, pkce.challenge.as_str(), state.secret(), nonce.secret(), &redirect_uri)?;
    open_browser(url.as_str())?;
    let code = tokio::time::timeout(settings.browser_timeout, loopback::wait_for_code(listener, state.secret()))
        .await
        .map_err(|_| {
            Error::Unavailable(format!(
                "the browser sign-in did not finish within {} s; try again, or sign in with a device code",
                settings.browser_timeout.as_secs()
            ))
        })??;
    let form = [
        ("grant_type", "authorization_code"),
        ("client_id", settings.client_id.as_str()),
        ("code", code.as_str()),
        ("code_verifier", pkce.verifier.secret().as_str()),
        ("redirect_uri", redirect_uri.as_str()),
    ];
    match token_request(settings, &form).await? {
        TokenAnswer::Tokens(t) => Ok(t.credentials(None)),
        TokenAnswer::Refused(r) => Err(Error::Unauthorized(format!("exalsius refused the sign-in code: {r}"))),
    }
}

/// Text from the identity provider, shown to the user: bounded, without control characters.
fn printable(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const UNRESERVED: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

    /// `BASE64URL(SHA256(verifier))` without padding: the S256 method.
    fn challenge_of(verifier: &str) -> String {
        PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(verifier.to_string())).as_str().to_string()
    }

    #[test]
    fn the_rfc7636_appendix_b_vector() {
        assert_eq!(
            challenge_of("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn generated_verifiers_are_64_unreserved_chars_and_differ() {
        let (a, b) = (Pkce::generate(), Pkce::generate());
        let verifier = a.verifier.secret();
        assert_eq!(verifier.len(), 64);
        assert!(verifier.bytes().all(|c| UNRESERVED.contains(&c)));
        assert_ne!(verifier, b.verifier.secret());
        assert_eq!(a.challenge.as_str(), challenge_of(verifier));
        assert!(!format!("{a:?}").contains(verifier.as_str()));
    }

    #[test]
    fn the_authorize_url_carries_the_contracts_parameters() {
        let s = AuthSettings { organization: Some("org_abc".into()), ..AuthSettings::default() };
        let url = authorize_url(&s, "chal", "st", "no", "http://127.0.0.1:8999/callback").unwrap();
        assert!(url.as_str().starts_with("https://exalsius.eu.auth0.com/authorize?"), "{url}");
        let q: BTreeMap<String, String> = url.query_pairs().into_owned().collect();
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["client_id"], DEFAULT_CLIENT_ID);
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["redirect_uri"], "http://127.0.0.1:8999/callback");
        assert_eq!(q["audience"], "https://api.exalsius.ai");
        assert_eq!(q["scope"], SCOPE);
        assert_eq!(q["organization"], "org_abc");
        assert_eq!((q["state"].as_str(), q["nonce"].as_str(), q["code_challenge"].as_str()), ("st", "no", "chal"));
    }

    #[test]
    fn options_point_the_sign_in_elsewhere_and_are_checked() {
        let opts: BTreeMap<String, String> =
            [("auth_url".to_string(), "http://127.0.0.1:4000/idp".to_string())].into_iter().collect();
        let s = AuthSettings::from_options(&opts).unwrap();
        assert_eq!(s.endpoint("oauth/token").unwrap().as_str(), "http://127.0.0.1:4000/idp/oauth/token");
        let bad: BTreeMap<String, String> =
            [("auth_url".to_string(), "http://idp.example".to_string())].into_iter().collect();
        assert_eq!(AuthSettings::from_options(&bad).unwrap_err().field(), Some(OPT_AUTH_URL));
        assert_eq!(AuthSettings::from_options(&BTreeMap::new()).unwrap().issuer.as_str(), DEFAULT_ISSUER);
    }
}
