//! The tokens a call is made with, replaced as a whole when renewed: a refresh token traded
//! for new ones once at a time, the result written back to the keyring, and a refused
//! renewal remembered so later calls fail at once with the same sign-in advice.

use super::auth::{self, ACCESS_TOKEN, EXPIRES_AT, REFRESH_TOKEN};
use super::client::Client;
use crate::error::{Error, Result};
use crate::providers::rest::Rest;
use crate::secrets::Credentials;

/// What a call is made with.
pub struct Session {
    rest: Rest,
    creds: Credentials,
    /// Set once a renewal was refused: later calls fail at once with this message.
    pub signed_out: Option<String>,
}

impl Session {
    pub fn new(rest: Rest, creds: Credentials) -> Self {
        let token = creds.get(ACCESS_TOKEN).unwrap_or_default().trim().to_string();
        Session { rest: rest.with_bearer(&token), creds, signed_out: None }
    }
}

impl Client {
    pub(super) fn signed_out_message(&self, why: &str) -> String {
        let name = &self.account;
        format!(
            "exalsius account '{name}' is signed out: {why}. Sign in again (in Hangar's account settings, or \
             `hangarctl account login {name}`)"
        )
    }

    pub(super) async fn current(&self) -> Result<(Rest, String, Option<i64>, bool)> {
        let s = self.session.read().await;
        if let Some(m) = &s.signed_out {
            return Err(Error::Unauthorized(m.clone()));
        }
        let token = s.creds.get(ACCESS_TOKEN).unwrap_or_default().trim().to_string();
        let expires = s.creds.get(EXPIRES_AT).and_then(|e| e.parse::<i64>().ok());
        Ok((s.rest.clone(), token, expires, s.creds.get(REFRESH_TOKEN).is_some()))
    }

    /// Renews the tokens once, unless another call already did while this one waited.
    pub(super) async fn renew(&self, used: &str) -> Result<()> {
        let _one_at_a_time = self.renewing.lock().await;
        let (refresh_token, creds) = {
            let s = self.session.read().await;
            if let Some(m) = &s.signed_out {
                return Err(Error::Unauthorized(m.clone()));
            }
            if s.creds.get(ACCESS_TOKEN).map(str::trim) != Some(used) {
                return Ok(());
            }
            (s.creds.get(REFRESH_TOKEN).map(str::to_string), s.creds.clone())
        };
        let Some(refresh_token) = refresh_token else {
            let msg = self.signed_out_message(
                "exalsius refused the access token (it has probably expired) and there is no refresh token to renew it",
            );
            self.session.write().await.signed_out = Some(msg.clone());
            return Err(Error::Unauthorized(msg));
        };
        let tokens = match auth::refresh(&self.auth, &refresh_token).await {
            Ok(t) => t,
            Err(Error::Unauthorized(why)) => {
                let msg = self.signed_out_message(&format!("the sign-in expired and could not be renewed ({why})"));
                self.session.write().await.signed_out = Some(msg.clone());
                return Err(Error::Unauthorized(msg));
            }
            Err(e) => return Err(e.context("the exalsius sign-in could not be renewed")),
        };
        let fresh = tokens.credentials(Some(&refresh_token));
        let mut renewed = creds;
        for key in [ACCESS_TOKEN, REFRESH_TOKEN, EXPIRES_AT] {
            // An empty value reads as absent: a stale expiry must not outlive its token.
            renewed.set(key, fresh.get(key).unwrap_or_default());
        }
        let store = self.secrets.clone();
        let (name, saved) = (self.account.clone(), renewed.clone());
        let stored = tokio::task::spawn_blocking(move || store.save(&name, &saved))
            .await
            .map_err(|e| Error::Internal(format!("keyring task: {e}")))
            .and_then(|r| r);
        if let Err(e) = stored {
            // The new tokens still work for this session; only the next start may need a sign-in.
            tracing::warn!(account = %self.account, error = %e, "renewed exalsius tokens could not be stored");
        }
        let mut s = self.session.write().await;
        s.rest = s.rest.clone().with_bearer(tokens.access_token.trim());
        if let Some(r) = &tokens.refresh_token {
            s.rest.add_secret(r);
        }
        s.creds = renewed;
        tracing::debug!(account = %self.account, "exalsius tokens renewed");
        Ok(())
    }
}
