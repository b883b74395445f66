//! The user token behind every Mage call: the stored or pasted one while it lives, else a
//! sign-in with email and password (`POST /api/sessions`), kept in the keyring for next time.

use reqwest::Method;

use super::auth::Token;
use super::client::{decode, Client};
use super::errors::Op;
use super::wire::{self, SessionAnswer, SessionRequest};
use super::VENDOR;
use crate::error::{Error, Result};

pub(super) fn now_epoch() -> i64 {
    chrono::Utc::now().timestamp()
}

impl Client {
    /// A token that is not known to be expired: the current one, or a new sign-in.
    pub(super) async fn usable_token(&self) -> Result<Token> {
        let current = self.session().token.clone();
        match current {
            Some(t) if !t.expired_at(now_epoch()) => Ok(t),
            Some(_) if self.login.is_none() => Err(Error::Unauthorized(format!(
                "the pasted {VENDOR} OAuth token has expired. Sign in to Mage again and paste a new token \
                 (the oauth_token cookie), or add email and password to the account so Hangar can sign in itself"
            ))),
            stale => self.sign_in(stale.as_ref()).await,
        }
    }

    /// `POST /api/sessions`, unless another call already replaced `stale` meanwhile. The new
    /// token joins the redaction list and, when the account is stored, the keyring.
    pub(super) async fn sign_in(&self, stale: Option<&Token>) -> Result<Token> {
        let _one_at_a_time = self.signing_in.lock().await;
        if let Some(t) = self.session().token.clone() {
            if Some(&t) != stale && !t.expired_at(now_epoch()) {
                return Ok(t);
            }
        }
        let Some((user, password)) = &self.login else {
            return Err(Error::Unauthorized(format!(
                "the {VENDOR} OAuth token was refused. Sign in to Mage again and paste a new token, \
                 or add email and password to the account"
            )));
        };
        let (email, username) =
            if user.contains('@') { (Some(user.as_str()), None) } else { (None, Some(user.as_str())) };
        let body = serde_json::to_value(SessionRequest { session: wire::Login { email, username, password } })
            .map_err(|_| Error::Internal("sign-in body".into()))?;
        let answer = self
            .exchange(Op::SignIn, Method::POST, &["sessions"], &[], Some(&body), None)
            .await
            .map_err(|r| r.error)?;
        let session: SessionAnswer = decode(answer, "POST /api/sessions")?;
        let token = Token::parse(&session.session.token);
        if token.raw.is_empty() {
            return Err(Error::BadResponse { message: format!("{VENDOR} signed in but sent an empty token") });
        }
        {
            let mut s = self.session();
            s.rest.add_secret(&token.stored);
            s.rest.add_secret(&token.raw);
            s.token = Some(token.clone());
            s.owner = session.session.user.as_ref().and_then(|u| u.owner);
        }
        tracing::debug!(account = %self.account, expires = ?token.expires, "Mage Pro: signed in");
        self.keep(&token).await;
        Ok(token)
    }

    /// Writes the token into the account's stored credentials. An account being added has
    /// none yet; it is not created here, so a failed add leaves nothing behind.
    async fn keep(&self, token: &Token) {
        let (store, account, jwt) = (self.secrets.clone(), self.account.clone(), token.stored.clone());
        let kept = tokio::task::spawn_blocking(move || -> Result<bool> {
            let Some(mut creds) = store.load(&account)? else { return Ok(false) };
            if creds.get("oauth_token") != Some(jwt.as_str()) {
                creds.set("oauth_token", jwt);
                store.save(&account, &creds)?;
            }
            Ok(true)
        })
        .await;
        match kept {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "Mage Pro: the new token could not be kept; the next start signs in again")
            }
            Err(e) => tracing::warn!(error = %e, "Mage Pro: keyring task failed"),
        }
    }
}
