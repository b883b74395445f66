//! An account's credentials: replaced after one authenticated call, kept when a provider
//! renewed them while verifying, signed out (revoked where the provider can).

use super::validate::{check_credentials, provider_info};
use super::Hangar;
use crate::error::{Error, Result};
use crate::provider;
use crate::secrets::Credentials;

impl Hangar {
    /// The account's stored credentials (for signing out: revoking what is stored).
    pub async fn credentials(&self, name: &str) -> Result<Option<Credentials>> {
        self.account(name)?;
        self.load_secret(name).await
    }

    /// Replaces pasted credentials (a rotated API key, a new token) after one authenticated
    /// call with them; the old ones stay when that call fails.
    pub async fn change_credentials(&self, name: &str, credentials: Credentials) -> Result<()> {
        let account = self.account(name)?;
        check_credentials(&provider_info(account.provider)?, &credentials)?;
        let before = self.load_secret(name).await.ok().flatten();
        let p = self.build(account, credentials.clone())?;
        p.verify().await.map_err(|e| e.context(&format!("account '{name}' keeps its old credentials")))?;
        let credentials = self.renewed_or(name, before.as_ref(), credentials).await;
        self.replace_credentials(name, credentials).await
    }

    /// What to keep after a verifying call with `given`: the credentials the provider stored
    /// meanwhile if it renewed them (an expired access token, a rotated refresh token), else `given`.
    pub(super) async fn renewed_or(&self, name: &str, before: Option<&Credentials>, given: Credentials) -> Credentials {
        match self.load_secret(name).await {
            Ok(Some(now)) if Some(&now) != before => now,
            _ => given,
        }
    }

    /// Stores new credentials for an existing account (after a new sign-in or a sign-out) and
    /// forgets the connected provider, so the next call uses them.
    pub async fn replace_credentials(&self, name: &str, credentials: Credentials) -> Result<()> {
        self.account(name)?;
        self.save_secret(name, credentials).await?;
        self.forget(name);
        Ok(())
    }

    /// Signs an account out: revokes its sign-in where the provider can, and deletes its
    /// tokens from the keyring; the account stays, to sign in again. Returns the revoke
    /// failure, if any, after the tokens are gone.
    pub async fn sign_out(&self, name: &str) -> Result<Option<Error>> {
        let account = self.account(name)?;
        let revoked = match self.load_secret(name).await? {
            Some(creds) => provider::revoke_sign_in(&account, &creds).await.err(),
            None => None,
        };
        self.replace_credentials(name, Credentials::default()).await?;
        self.prune_ssh_hosts(name, None);
        Ok(revoked)
    }

    pub async fn test_account(&self, name: &str) -> Result<()> {
        self.provider(name).await?.verify().await
    }
}
