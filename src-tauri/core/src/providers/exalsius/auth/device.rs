//! The device-code sign-in (RFC 8628), for shells with no browser at hand: the user confirms
//! a short code on any device while this polls the token endpoint.

use std::time::Duration;

use serde::Deserialize;

use super::token::{post_form, refusal_error, token_request, Refusal, TokenAnswer};
use super::{AuthSettings, DEVICE_GRANT};
use crate::error::{Error, Result};
use crate::secrets::Credentials;

const DEVICE_TIMEOUT: Duration = Duration::from_secs(300);
/// What RFC 8628 §3.5 has a client add to its polling interval on each `slow_down`.
const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);

/// What `/oauth/device/code` answered. `Debug` hides the device code (it polls for tokens).
#[derive(Clone, Deserialize)]
pub struct DeviceCode {
    device_code: String,
    pub user_code: String,
    pub verification_uri: String,
    #[serde(default)]
    pub verification_uri_complete: Option<String>,
    #[serde(default)]
    pub expires_in: Option<u64>,
    #[serde(default)]
    pub interval: Option<u64>,
}

impl DeviceCode {
    /// What the user is shown (the code that polls for tokens is not part of it).
    pub fn prompt(&self) -> crate::provider::DevicePrompt {
        crate::provider::DevicePrompt {
            user_code: self.user_code.clone(),
            verification_uri: self.verification_uri.clone(),
            verification_uri_complete: self.verification_uri_complete.clone(),
            expires_in_secs: self.expires_in,
        }
    }
}

impl std::fmt::Debug for DeviceCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceCode")
            .field("user_code", &self.user_code)
            .field("verification_uri", &self.verification_uri)
            .field("verification_uri_complete", &self.verification_uri_complete)
            .field("expires_in", &self.expires_in)
            .field("interval", &self.interval)
            .finish_non_exhaustive()
    }
}

/// Signs in with a device code: `show` gets the code to display (the verification URI and
/// the user code), then this polls until the user confirms, refuses, or the code expires.
pub async fn sign_in_device(settings: &AuthSettings, show: impl Fn(&DeviceCode)) -> Result<Credentials> {
    let code = request_device_code(settings).await?;
    show(&code);
    poll_device(settings, &code).await
}

pub async fn request_device_code(settings: &AuthSettings) -> Result<DeviceCode> {
    let mut form = vec![
        ("client_id", settings.client_id.as_str()),
        ("audience", settings.audience.as_str()),
        ("scope", settings.scope.as_str()),
    ];
    if let Some(org) = &settings.organization {
        form.push(("organization", org.as_str()));
    }
    let (status, body) = post_form(settings, &["oauth", "device", "code"], &form).await?;
    if (200..300).contains(&status) {
        return serde_json::from_str(&body).map_err(|_| Error::BadResponse {
            message: "the exalsius sign-in service answered a device code Hangar cannot read".into(),
        });
    }
    Err(refusal_error(status, &body, "exalsius refused to start a device sign-in"))
}

pub async fn poll_device(settings: &AuthSettings, code: &DeviceCode) -> Result<Credentials> {
    let mut interval = Duration::from_secs(code.interval.unwrap_or(5).max(1));
    let lifetime = code.expires_in.map(Duration::from_secs).unwrap_or(DEVICE_TIMEOUT).min(Duration::from_secs(900));
    let deadline = tokio::time::Instant::now() + lifetime;
    let form = [
        ("client_id", settings.client_id.as_str()),
        ("device_code", code.device_code.as_str()),
        ("grant_type", DEVICE_GRANT),
    ];
    loop {
        tokio::time::sleep(interval).await;
        if tokio::time::Instant::now() > deadline {
            return Err(Error::Unauthorized(
                "the device sign-in was not confirmed in time; start the sign-in again".into(),
            ));
        }
        match token_request(settings, &form).await? {
            TokenAnswer::Tokens(t) => return Ok(t.credentials(None)),
            TokenAnswer::Refused(r) => interval = interval_after(interval, &r)?,
        }
    }
}

/// The polling interval after a refused device poll (RFC 8628 §3.5), or why polling ends.
fn interval_after(interval: Duration, refusal: &Refusal) -> Result<Duration> {
    match refusal.error.as_str() {
        "authorization_pending" => Ok(interval),
        // The longer interval holds for every later poll too.
        "slow_down" => Ok(interval + SLOW_DOWN_STEP),
        "expired_token" => Err(Error::Unauthorized(
            "the device code expired before the sign-in was confirmed; start the sign-in again".into(),
        )),
        "access_denied" => Err(Error::Unauthorized("the device sign-in was denied in the browser".into())),
        _ => Err(Error::Unauthorized(format!("exalsius device sign-in failed: {refusal}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slow_down_adds_five_seconds_for_good_and_pending_keeps_the_pace() {
        let refusal = |error: &str| Refusal { error: error.into(), error_description: None };
        let five = Duration::from_secs(5);
        assert_eq!(interval_after(five, &refusal("authorization_pending")).unwrap(), five);
        let slower = interval_after(five, &refusal("slow_down")).unwrap();
        assert_eq!(slower, Duration::from_secs(10), "RFC 8628 §3.5: +5 s");
        assert_eq!(interval_after(slower, &refusal("authorization_pending")).unwrap(), slower, "and it stays");
        assert_eq!(interval_after(slower, &refusal("slow_down")).unwrap(), Duration::from_secs(15));
        let denied = interval_after(five, &refusal("access_denied")).unwrap_err();
        assert!(denied.to_string().contains("denied"), "{denied}");
        assert!(interval_after(five, &refusal("expired_token")).unwrap_err().to_string().contains("expired"));
    }

    #[test]
    fn a_device_code_hides_its_device_code() {
        let d: DeviceCode = serde_json::from_str(
            r#"{"device_code":"dev-secret","user_code":"ABCD-EFGH","verification_uri":"https://x/activate","expires_in":900,"interval":5}"#,
        )
        .unwrap();
        assert!(!format!("{d:?}").contains("dev-secret"));
        assert!(format!("{d:?}").contains("ABCD-EFGH"));
    }
}
