//! IPC commands: each one is a Node operation from the window (or a read of the core);
//! errors cross as `{code, message, field}`.

use std::collections::BTreeMap;

use hangar_core::form::Form;
use hangar_core::history::WorkspaceDetails;
use hangar_core::node::{Node, Origin};
use hangar_core::settings::Settings;
use hangar_core::watcher::Snapshot;
use hangar_core::{Account, Action, AppInfo, ErrorPayload, LinkKind, NewAccount, ProviderInfo, Workspace};
use tauri::{AppHandle, State};
use tauri_plugin_opener::OpenerExt;

use crate::AppState;

type Reply<T> = Result<T, ErrorPayload>;

fn fail(e: hangar_core::Error) -> ErrorPayload {
    e.payload()
}

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> Reply<AppInfo> {
    Ok(info_of(&*state.node()?))
}

pub fn info_of(node: &Node) -> AppInfo {
    AppInfo { demo: node.is_demo(), version: env!("CARGO_PKG_VERSION").into() }
}

#[tauri::command]
pub fn snapshot(state: State<'_, AppState>) -> Reply<Snapshot> {
    Ok(state.node()?.snapshot())
}

#[tauri::command]
pub fn refresh(state: State<'_, AppState>) -> Reply<()> {
    state.node()?.refresh(Origin::Window);
    Ok(())
}

#[tauri::command]
pub fn providers(state: State<'_, AppState>) -> Reply<Vec<ProviderInfo>> {
    Ok(state.node()?.hangar().providers())
}

#[tauri::command]
pub fn accounts(state: State<'_, AppState>) -> Reply<Vec<Account>> {
    state.node()?.hangar().accounts().map_err(fail)
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
pub async fn add_account(state: State<'_, AppState>, account: NewAccount) -> Reply<()> {
    let node = state.node()?;
    let target = node.new_account_target().map_err(fail)?;
    let creds = hangar_core::secrets::Credentials::from_map(account.credentials.clone());
    node.add_account(target, to_account(&account), creds, account.verify).await.map_err(fail)
}

/// Adds an account by signing in through the browser (providers with `browser_sign_in`).
#[tauri::command]
pub async fn sign_in_account(app: AppHandle, state: State<'_, AppState>, account: NewAccount) -> Reply<()> {
    let node = state.node()?;
    let target = node.new_account_target().map_err(fail)?;
    let acct = to_account(&account);
    target.check_new_account(&acct).map_err(fail)?;
    let creds = hangar_core::provider::sign_in_with_browser(&acct, browser(&app)).await.map_err(fail)?;
    node.add_account(target, acct, creds, account.verify).await.map_err(fail)
}

/// Signs an existing account in again through the browser and resumes its refreshes.
#[tauri::command]
pub async fn sign_in_again(app: AppHandle, state: State<'_, AppState>, name: String) -> Reply<()> {
    let node = state.node()?;
    let acct = node.hangar().account(&name).map_err(fail)?;
    let creds = hangar_core::provider::sign_in_with_browser(&acct, browser(&app)).await.map_err(fail)?;
    node.replace_credentials(&name, creds).await.map_err(fail)
}

/// Replaces an account's pasted credentials after one authenticated call with them, and
/// resumes its refreshes (an account paused on 401 waits for exactly this).
#[tauri::command]
pub async fn change_credentials(
    state: State<'_, AppState>,
    name: String,
    credentials: BTreeMap<String, String>,
) -> Reply<()> {
    let creds = hangar_core::secrets::Credentials::from_map(credentials);
    state.node()?.change_credentials(&name, creds).await.map_err(fail)
}

/// The line Hangar asks to add to `~/.ssh/config`, exactly as it would write it.
#[tauri::command]
pub fn ssh_include(state: State<'_, AppState>) -> Reply<hangar_core::ssh::SshInclude> {
    state.node()?.hangar().ssh_include().map_err(fail)
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
    let credentials = credentials.filter(|c| !c.is_empty()).map(hangar_core::secrets::Credentials::from_map);
    state.node()?.edit_account(&name, base_url, options, credentials).await.map_err(fail)
}

#[tauri::command]
pub async fn remove_account(state: State<'_, AppState>, name: String) -> Reply<()> {
    state.node()?.remove_account(&name).await.map_err(fail)
}

#[tauri::command]
pub async fn test_account(state: State<'_, AppState>, name: String) -> Reply<()> {
    state.node()?.hangar().test_account(&name).await.map_err(fail)
}

#[tauri::command]
pub async fn create_form(
    state: State<'_, AppState>,
    account: String,
    selected: BTreeMap<String, String>,
) -> Reply<Form> {
    state.node()?.hangar().create_form(&account, &selected).await.map_err(fail)
}

#[tauri::command]
pub async fn create_workspace(
    state: State<'_, AppState>,
    account: String,
    name: String,
    values: BTreeMap<String, String>,
) -> Reply<Workspace> {
    state.node()?.create(Origin::Window, &account, &name, &values).await.map_err(fail)
}

#[tauri::command]
pub async fn workspace_action(state: State<'_, AppState>, account: String, id: String, action: Action) -> Reply<()> {
    state.node()?.act(Origin::Window, &account, &id, action).await.map_err(fail)
}

#[tauri::command]
pub async fn workspace_details(state: State<'_, AppState>, account: String, id: String) -> Reply<WorkspaceDetails> {
    state.node()?.details(&account, &id).await.map_err(fail)
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
    let link = state.node()?.hangar().open(&account, &id, kind).await.map_err(fail)?;
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
    Ok(state.node()?.settings())
}

#[tauri::command]
pub fn save_settings(app: AppHandle, state: State<'_, AppState>, settings: Settings) -> Reply<()> {
    use tauri_plugin_autostart::ManagerExt;
    let node = state.node()?;
    if settings.launch_at_login != node.settings().launch_at_login {
        let launcher = app.autolaunch();
        let done = if settings.launch_at_login { launcher.enable() } else { launcher.disable() };
        done.map_err(|e| fail(hangar_core::Error::Unavailable(format!("could not change launch at login: {e}"))))?;
    }
    node.save_settings(settings, Origin::Window).map(|_| ()).map_err(fail)
}

#[tauri::command]
pub async fn update_form(state: State<'_, AppState>, account: String, id: String) -> Reply<Form> {
    state.node()?.hangar().update_form(&account, &id).await.map_err(fail)
}

#[tauri::command]
pub async fn update_workspace(
    state: State<'_, AppState>,
    account: String,
    id: String,
    values: BTreeMap<String, String>,
) -> Reply<()> {
    state.node()?.update(Origin::Window, &account, &id, &values).await.map_err(fail)
}

/// A `hangar://` link Hangar was started with, handed to the window once it is ready.
#[tauri::command]
pub fn take_pending_link(app: AppHandle, state: State<'_, AppState>) -> Reply<()> {
    crate::links::window_listens(&app, &state.links);
    Ok(())
}

/// Signs an account out: its tokens leave the keyring (revoked where the provider can).
#[tauri::command]
pub async fn sign_out(state: State<'_, AppState>, name: String) -> Reply<Option<String>> {
    let warning = state.node()?.sign_out(&name).await.map_err(fail)?;
    Ok(warning.map(|e| format!("Signed out; the provider could not revoke the sign-in: {e}")))
}

/// Off the main thread: finding URL handlers runs `xdg-mime` once per IDE, and a command
/// without `async` would hold the window's event loop meanwhile.
#[tauri::command]
pub async fn installed_ides() -> Reply<Vec<hangar_core::ide::InstalledIde>> {
    tokio::task::spawn_blocking(hangar_core::platform::installed_ides)
        .await
        .map_err(|e| fail(hangar_core::Error::Internal(format!("looking for IDEs: {e}"))))
}

#[tauri::command]
pub async fn start_forward(
    state: State<'_, AppState>,
    account: String,
    id: String,
    remote_port: u16,
    local_port: Option<u16>,
) -> Reply<hangar_core::forward::ForwardInfo> {
    let alias = state.node()?.hangar().ssh_alias(&account, &id).await.map_err(fail)?;
    let spec = hangar_core::forward::ForwardSpec { alias, remote_port, local_port };
    let forward = hangar_core::forward::start(&spec).await.map_err(fail)?;
    Ok(state.forwards.hold(&account, &id, remote_port, forward))
}

#[tauri::command]
pub fn stop_forward(state: State<'_, AppState>, forward: u32) -> Reply<()> {
    state.forwards.stop(forward).map_err(fail)
}

#[tauri::command]
pub fn forwards(state: State<'_, AppState>) -> Reply<Vec<hangar_core::forward::ForwardInfo>> {
    Ok(state.forwards.list())
}

/// Opens a forward's address (made by the core from its port, never sent by the web view).
#[tauri::command]
pub fn open_forward(app: AppHandle, state: State<'_, AppState>, forward: u32) -> Reply<String> {
    let info = state.forwards.list().into_iter().find(|f| f.id == forward);
    let url =
        info.map(|f| f.url).ok_or_else(|| fail(hangar_core::Error::NotFound(format!("no port forward {forward}"))))?;
    hangar_core::platform::check_openable(&url).map_err(fail)?;
    app.opener()
        .open_url(url.clone(), None::<&str>)
        .map_err(|e| fail(hangar_core::Error::Unavailable(format!("could not open the browser: {e}"))))?;
    Ok(url)
}

#[cfg(test)]
mod tests {
    /// The window may start no program itself (no shell permission in any capability); the
    /// only programs Hangar starts for it are the IDE tools `open_workspace` takes from the
    /// core's allow-list, which is exactly these.
    #[test]
    fn the_ide_launch_allow_list_is_exactly_the_ide_tools_and_the_window_has_no_shell() {
        for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/capabilities")).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let capability: serde_json::Value = serde_json::from_str(&text).unwrap();
            let permissions = capability["permissions"].as_array().cloned().unwrap_or_default();
            let shell: Vec<_> = permissions.iter().filter(|p| p.to_string().contains("shell:")).collect();
            assert!(shell.is_empty(), "{} lets the window start programs: {shell:?}", path.display());
        }
        assert_eq!(hangar_core::platform::IDE_PROGRAMS, ["code", "cursor", "windsurf", "code-insiders", "zed"]);
    }
}
