//! Signing in to providers whose users sign in rather than paste a secret
//! (`ProviderInfo::browser_sign_in`): the browser flow or a device code, for
//! `account add --sign-in` and `account login`. Progress goes to stderr; tokens go only to
//! the keyring.

use std::io::IsTerminal;

use hangar_core::provider::{self, DevicePrompt};
use hangar_core::secrets::Credentials;
use hangar_core::{Account, Hangar, Result};

use crate::output::shown;

#[derive(clap::Args, Debug, Default)]
pub struct SignInArgs {
    /// Sign in instead of reading a token from standard input (exalsius): `browser` opens the
    /// system browser, `device` prints a code to confirm on any device
    #[arg(long, value_name = "HOW", value_parser = ["browser", "device"])]
    pub sign_in: Option<String>,
    /// Browser sign-in: print the sign-in URL on stderr instead of opening the browser
    #[arg(long)]
    pub print_url: bool,
}

/// A display to open a browser on; without one the device flow is the only way.
fn has_display() -> bool {
    cfg!(any(target_os = "macos", target_os = "windows"))
        || std::env::var_os("DISPLAY").is_some()
        || std::env::var_os("WAYLAND_DISPLAY").is_some()
}

fn vendor(account: &Account) -> String {
    provider::info(account.provider).map_or_else(|| account.provider.to_string(), |i| i.display_name)
}

async fn run(account: &Account, how: &str, print_url: bool) -> Result<Credentials> {
    let vendor = vendor(account);
    match how {
        "device" => {
            provider::sign_in_with_device(account, |code: &DevicePrompt| {
                eprintln!(
                    "To sign in to {vendor}, open {} and enter the code {}",
                    shown(&code.verification_uri),
                    shown(&code.user_code)
                );
                if let Some(complete) = &code.verification_uri_complete {
                    eprintln!("(or open {})", shown(complete));
                }
                eprintln!("Waiting for the sign-in to be confirmed…");
            })
            .await
        }
        _ => {
            provider::sign_in_with_browser(account, |url| {
                if print_url {
                    eprintln!("Open this URL to sign in to {vendor}: {}", shown(url));
                    return Ok(());
                }
                eprintln!("Opening the browser to sign in to {vendor}. If it does not open, visit: {}", shown(url));
                hangar_core::platform::open_url(url)
            })
            .await
        }
    }
}

/// Credentials from a sign-in when `--sign-in` was given; `None` means "read stdin".
pub async fn credentials(account: &Account, args: &SignInArgs) -> Result<Option<Credentials>> {
    let Some(how) = args.sign_in.as_deref() else { return Ok(None) };
    Ok(Some(run(account, how, args.print_url).await?))
}

/// `account login NAME`: signs in again and replaces the account's tokens in the keyring.
pub async fn login(h: &Hangar, name: &str, args: &SignInArgs) -> Result<()> {
    let account = h.account(name)?;
    let how = args.sign_in.clone().unwrap_or_else(|| {
        if has_display() && std::io::stderr().is_terminal() { "browser" } else { "device" }.to_string()
    });
    let creds = run(&account, &how, args.print_url).await?;
    h.replace_credentials(name, creds).await?;
    h.test_account(name).await.map_err(|e| e.context(&format!("account '{name}' signed in, but")))
}

/// `account logout NAME`: revokes the refresh token and keeps the account without tokens.
pub async fn logout(h: &Hangar, name: &str) -> Result<()> {
    if let Some(e) = h.sign_out(name).await? {
        eprintln!(
            "warning: the sign-in could not be revoked ({}); its tokens are removed from this computer anyway",
            shown(&e.to_string())
        );
    }
    Ok(())
}
