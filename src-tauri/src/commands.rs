//! IPC commands: each one is a core call; errors cross as `{code, message, field}`.

use std::collections::BTreeMap;

use hangar_core::form::Form;
use hangar_core::settings::Settings;
use hangar_core::watcher::Snapshot;
use hangar_core::{Account, Action, AppInfo, ErrorPayload, LinkKind, NewAccount, ProviderInfo, Workspace};
use tauri::{AppHandle, State};
use tauri_plugin_opener::OpenerExt;

use std::sync::Arc;

use hangar_core::Hangar;

use crate::session::{self, Session};
use crate::AppState;

type Reply<T> = Result<T, ErrorPayload>;

fn fail(e: hangar_core::Error) -> ErrorPayload {
    e.payload()
}

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> Reply<AppInfo> {
    Ok(AppInfo { demo: state.session()?.demo.is_some(), version: env!("CARGO_PKG_VERSION").into() })
}

#[tauri::command]
pub fn snapshot(state: State<'_, AppState>) -> Reply<Snapshot> {
    Ok(state.session()?.watcher.current())
}

#[tauri::command]
pub fn refresh(state: State<'_, AppState>) -> Reply<()> {
    state.session()?.watcher.refresh();
    Ok(())
}

#[tauri::command]
pub fn providers(state: State<'_, AppState>) -> Reply<Vec<ProviderInfo>> {
    Ok(state.session()?.hangar.providers())
}

#[tauri::command]
pub fn accounts(state: State<'_, AppState>) -> Reply<Vec<Account>> {
    state.session()?.hangar.accounts().map_err(fail)
}

/// Where a new real account goes: the current session's Hangar, or in demo mode a fresh one
/// over the config dir and keyring (the demo ends once the account is added).
fn real_target(state: &AppState) -> Reply<(Arc<Session>, Arc<Hangar>)> {
    let current = state.session()?;
    let hangar = if current.demo.is_some() { session::real_hangar().map_err(fail)? } else { current.hangar.clone() };
    Ok((current, hangar))
}

fn account_added(app: &AppHandle, state: &AppState, current: &Session, hangar: Arc<Hangar>) {
    if current.demo.is_some() {
        let watcher = session::new_watcher(hangar.clone());
        state.install(app, Session { hangar, watcher, demo: None, tasks: vec![] });
    } else {
        current.watcher.refresh();
    }
}

fn to_account(a: &NewAccount) -> Account {
    Account { name: a.name.clone(), provider: a.provider, base_url: a.base_url.clone(), options: a.options.clone() }
}

/// Hands a sign-in page to the system browser, after the same allow-list check as any link.
fn browser(app: &AppHandle) -> impl Fn(&str) -> hangar_core::Result<()> {
    let app = app.clone();
    move |url: &str| {
        hangar_core::platform::check_openable(url)?;
        app.opener()
            .open_url(url, None::<&str>)
            .map_err(|e| hangar_core::Error::Unavailable(format!("could not open the browser: {e}")))
    }
}

/// Adds a real account with pasted credentials. In demo mode, the first real account ends the demo.
#[tauri::command]
pub async fn add_account(app: AppHandle, state: State<'_, AppState>, account: NewAccount) -> Reply<()> {
    let (current, hangar) = real_target(&state)?;
    let creds = hangar_core::secrets::Credentials::from_map(account.credentials.clone());
    hangar.add_account(to_account(&account), creds, account.verify).await.map_err(fail)?;
    account_added(&app, &state, &current, hangar);
    Ok(())
}

/// Adds an account by signing in through the browser (providers with `browser_sign_in`).
#[tauri::command]
pub async fn sign_in_account(app: AppHandle, state: State<'_, AppState>, account: NewAccount) -> Reply<()> {
    let (current, hangar) = real_target(&state)?;
    let acct = to_account(&account);
    hangar.check_new_account(&acct).map_err(fail)?;
    let creds = hangar_core::provider::sign_in_with_browser(&acct, browser(&app)).await.map_err(fail)?;
    hangar.add_account(acct, creds, account.verify).await.map_err(fail)?;
    account_added(&app, &state, &current, hangar);
    Ok(())
}

/// Signs an existing account in again through the browser and resumes its refreshes.
#[tauri::command]
pub async fn sign_in_again(app: AppHandle, state: State<'_, AppState>, name: String) -> Reply<()> {
    let s = state.session()?;
    let acct = s.hangar.account(&name).map_err(fail)?;
    let creds = hangar_core::provider::sign_in_with_browser(&acct, browser(&app)).await.map_err(fail)?;
    s.hangar.replace_credentials(&name, creds).await.map_err(fail)?;
    s.watcher.refresh();
    Ok(())
}

/// Replaces an account's pasted credentials after one authenticated call with them, and
/// resumes its refreshes (an account paused on 401 waits for exactly this).
#[tauri::command]
pub async fn change_credentials(
    state: State<'_, AppState>,
    name: String,
    credentials: BTreeMap<String, String>,
) -> Reply<()> {
    let s = state.session()?;
    let creds = hangar_core::secrets::Credentials::from_map(credentials);
    s.hangar.change_credentials(&name, creds).await.map_err(fail)?;
    s.watcher.refresh();
    Ok(())
}

/// The line Hangar asks to add to `~/.ssh/config`, exactly as it would write it.
#[tauri::command]
pub fn ssh_include(state: State<'_, AppState>) -> Reply<hangar_core::ssh::SshInclude> {
    state.session()?.hangar.ssh_include().map_err(fail)
}

/// Changes an account's base URL and options after one authenticated call with them; a move
/// to another address comes with the credentials entered again.
#[tauri::command]
pub async fn edit_account(
    state: State<'_, AppState>,
    name: String,
    base_url: Option<String>,
    options: BTreeMap<String, String>,
    credentials: Option<BTreeMap<String, String>>,
) -> Reply<()> {
    let s = state.session()?;
    let credentials = credentials.filter(|c| !c.is_empty()).map(hangar_core::secrets::Credentials::from_map);
    s.hangar.edit_account(&name, base_url, options, credentials).await.map_err(fail)?;
    s.watcher.refresh();
    Ok(())
}

#[tauri::command]
pub async fn remove_account(state: State<'_, AppState>, name: String) -> Reply<()> {
    let s = state.session()?;
    s.hangar.remove_account(&name).await.map_err(fail)?;
    s.watcher.refresh();
    Ok(())
}

#[tauri::command]
pub async fn test_account(state: State<'_, AppState>, name: String) -> Reply<()> {
    state.session()?.hangar.test_account(&name).await.map_err(fail)
}

#[tauri::command]
pub async fn create_form(
    state: State<'_, AppState>,
    account: String,
    selected: BTreeMap<String, String>,
) -> Reply<Form> {
    state.session()?.hangar.create_form(&account, &selected).await.map_err(fail)
}

#[tauri::command]
pub async fn create_workspace(
    state: State<'_, AppState>,
    account: String,
    name: String,
    values: BTreeMap<String, String>,
) -> Reply<Workspace> {
    let s = state.session()?;
    let w = s.hangar.create(&account, &name, &values).await.map_err(fail)?;
    state.quiet.window_acted(&account, &w.id);
    s.watcher.acted(&account);
    Ok(w)
}

#[tauri::command]
pub async fn workspace_action(state: State<'_, AppState>, account: String, id: String, action: Action) -> Reply<()> {
    let s = state.session()?;
    state.quiet.window_acted(&account, &id);
    s.hangar.act(&account, &id, action).await.map_err(fail)?;
    s.watcher.acted(&account);
    Ok(())
}

/// Opens a workspace's link with the OS; the URL never comes from the web view, only from
/// the provider, and only allow-listed schemes are opened.
#[tauri::command]
pub async fn open_workspace(
    app: AppHandle,
    state: State<'_, AppState>,
    account: String,
    id: String,
    kind: LinkKind,
) -> Reply<String> {
    let s = state.session()?;
    let link = s.hangar.open(&account, &id, kind).await.map_err(fail)?;
    hangar_core::platform::check_openable(&link.url).map_err(fail)?;
    // VS Code and Cursor by their own command-line tool where it is installed (allow-listed
    // program, arguments built by the core); their URL handler otherwise.
    if let Some(ide) = hangar_core::platform::ide_launch(link.kind, &link.url) {
        use tauri_plugin_shell::ShellExt;
        match app.shell().command(ide.program).args(&ide.args).spawn() {
            Ok(_) => return Ok(link.url),
            Err(e) => tracing::debug!(program = ide.program, "IDE tool not started ({e}); using its URL handler"),
        }
    }
    app.opener()
        .open_url(link.url.clone(), None::<&str>)
        .map_err(|e| fail(hangar_core::Error::Unavailable(format!("could not open the link: {e}"))))?;
    Ok(link.url)
}

#[tauri::command]
pub fn settings(state: State<'_, AppState>) -> Reply<Settings> {
    Ok(state.settings())
}

#[tauri::command]
pub fn save_settings(app: AppHandle, state: State<'_, AppState>, settings: Settings) -> Reply<()> {
    use tauri_plugin_autostart::ManagerExt;
    if settings.launch_at_login != state.settings().launch_at_login {
        let launcher = app.autolaunch();
        let done = if settings.launch_at_login { launcher.enable() } else { launcher.disable() };
        done.map_err(|e| fail(hangar_core::Error::Unavailable(format!("could not change launch at login: {e}"))))?;
    }
    let settings = Settings { refresh: settings.refresh.clamped(), ..settings };
    state.save_settings(&settings);
    if let Ok(s) = state.session() {
        s.watcher.set_cadence(settings.refresh.into());
        crate::tray::update(&app, &s.watcher.current());
    }
    Ok(())
}

#[tauri::command]
pub async fn update_form(state: State<'_, AppState>, account: String, id: String) -> Reply<Form> {
    state.session()?.hangar.update_form(&account, &id).await.map_err(fail)
}

#[tauri::command]
pub async fn update_workspace(
    state: State<'_, AppState>,
    account: String,
    id: String,
    values: BTreeMap<String, String>,
) -> Reply<()> {
    let s = state.session()?;
    state.quiet.window_acted(&account, &id);
    s.hangar.update(&account, &id, &values).await.map_err(fail)?;
    s.watcher.acted(&account);
    Ok(())
}

/// A `hangar://` link Hangar was started with, handed to the window once it is ready.
#[tauri::command]
pub fn take_pending_link(app: AppHandle, state: State<'_, AppState>) -> Reply<()> {
    if let Some(link) = state.pending_link.lock().ok().and_then(|mut l| l.take()) {
        crate::follow_link(&app, &link);
    }
    Ok(())
}

/// Signs an account out: its tokens leave the keyring (revoked where the provider can).
#[tauri::command]
pub async fn sign_out(state: State<'_, AppState>, name: String) -> Reply<Option<String>> {
    let s = state.session()?;
    let warning = s.hangar.sign_out(&name).await.map_err(fail)?;
    s.watcher.refresh();
    Ok(warning.map(|e| format!("Signed out; the provider could not revoke the sign-in: {e}")))
}
