//! The IPC contract: every command the window may call, declared once. From this list come
//! the Tauri handler, a compile-time check against each function in `commands.rs`, and
//! `ui/src/lib/bindings/commands.ts` (written by a test, so CI sees it drift).

use std::collections::BTreeMap;

use hangar_core::form::Form;
use hangar_core::forward::ForwardInfo;
use hangar_core::history::WorkspaceDetails;
use hangar_core::ide::InstalledIde;
use hangar_core::settings::Settings;
use hangar_core::ssh::SshInclude;
use hangar_core::watcher::Snapshot;
use hangar_core::{Account, Action, AppInfo, LinkKind, NewAccount, ProviderInfo, Workspace};

#[macro_use]
mod declare;
#[cfg(test)]
mod typescript;

type Values = BTreeMap<String, String>;

ipc_commands! {
    /// What Hangar is, and whether it shows the demo clouds.
    fn app_info[state]() -> AppInfo;
    fn snapshot[state]() -> Snapshot;
    fn refresh[state]() -> ();
    fn providers[state]() -> Vec<ProviderInfo>;
    fn accounts[state]() -> Vec<Account>;
    /// Adds an account with pasted credentials; in demo mode the first real account ends the demo.
    async fn add_account[state](account: NewAccount) -> ();
    /// Adds an account by signing in through the system browser (providers with `browser_sign_in`).
    async fn sign_in_account[app, state](account: NewAccount) -> ();
    /// Signs an existing account in again through the browser.
    async fn sign_in_again[app, state](name: String) -> ();
    /// Deletes the account's tokens (revoking them where possible); answers a warning, if any.
    async fn sign_out[state](name: String) -> Option<String>;
    /// Changes an account's base URL (null: the provider's default) and options, after one check
    /// call with them; a move to another address comes with the credentials entered again.
    async fn edit_account[state](name: String, base_url: Option<String>, options: Values, credentials: Option<Values>) -> ();
    /// Replaces an account's pasted credentials after one check call with them; the old ones stay if it fails.
    async fn change_credentials[state](name: String, credentials: Values) -> ();
    /// The line Hangar would add to the user's SSH config, and that file.
    fn ssh_include[state]() -> SshInclude;
    async fn remove_account[state](name: String) -> ();
    async fn test_account[state](name: String) -> ();
    async fn create_form[state](account: String, selected: Values) -> Form;
    async fn create_workspace[state](account: String, name: String, values: Values) -> Workspace;
    async fn workspace_action[state](account: String, id: String, action: Action) -> ();
    /// One workspace with the timeline Hangar observed, its spend and the vendor's record (secrets removed).
    async fn workspace_details[state](account: String, id: String) -> WorkspaceDetails;
    /// Opens a workspace's link with the OS and answers its URL. Fails with code `consent_needed`
    /// while an IDE link's SSH alias waits for the user's answer about `~/.ssh/config`.
    async fn open_workspace[app, state](account: String, id: String, kind: LinkKind) -> String;
    fn settings[state]() -> Settings;
    fn save_settings[app, state](settings: Settings) -> ();
    async fn update_form[state](account: String, id: String) -> Form;
    async fn update_workspace[state](account: String, id: String, values: Values) -> ();
    /// The IDEs installed here (their tool on PATH, or a registered URL handler), in the order offered.
    async fn installed_ides[]() -> Vec<InstalledIde>;
    /// Forwards a port of a running workspace to 127.0.0.1 over its SSH alias (a free local
    /// port unless given); answers once the local port answers.
    async fn start_forward[state](account: String, id: String, remote_port: u16, local_port: Option<u16>) -> ForwardInfo;
    /// Ends a port forward.
    fn stop_forward[state](forward: u32) -> ();
    /// The port forwards that are up.
    fn forwards[state]() -> Vec<ForwardInfo>;
    /// Opens a forward's local address in the browser.
    fn open_forward[app, state](forward: u32) -> String;
    /// Replays a `hangar://` link the app was started with, once the window listens.
    fn take_pending_link[app, state]() -> ();

    // Called by the benchmark's injected script, not by the UI.
    internal: [crate::bench::bench_painted];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_commands() -> std::io::Result<()> {
        hangar_core::bindings::write("commands.ts", &contract().render()).map(drop)
    }

    /// Tauri matches arguments by name, so the declared names must be the parameters' own
    /// (their types and order are checked when the crate compiles).
    #[test]
    fn declared_arguments_are_named_as_the_commands_parameters() {
        let source = syn::parse_file(include_str!("commands.rs")).expect("commands.rs parses");
        let is_command =
            |f: &&syn::ItemFn| f.attrs.iter().any(|a| a.path().segments.last().is_some_and(|s| s.ident == "command"));
        let in_source: BTreeMap<String, Vec<String>> = source
            .items
            .iter()
            .filter_map(|item| if let syn::Item::Fn(f) = item { Some(f) } else { None })
            .filter(is_command)
            .map(|f| (f.sig.ident.to_string(), window_arguments(&f.sig)))
            .collect();
        let declared: BTreeMap<String, Vec<String>> = contract()
            .commands
            .iter()
            .map(|c| (c.name.to_string(), c.args.iter().map(|(name, _)| name.to_string()).collect()))
            .collect();
        assert_eq!(declared, in_source);
    }

    /// The parameters the window sends: all but those Tauri injects.
    fn window_arguments(sig: &syn::Signature) -> Vec<String> {
        sig.inputs
            .iter()
            .filter_map(|input| match input {
                syn::FnArg::Typed(t) => Some(t),
                syn::FnArg::Receiver(_) => None,
            })
            .filter(|t| match &*t.ty {
                syn::Type::Path(p) => {
                    !p.path.segments.last().is_some_and(|s| s.ident == "AppHandle" || s.ident == "State")
                }
                _ => true,
            })
            .map(|t| match &*t.pat {
                syn::Pat::Ident(p) => p.ident.to_string(),
                _ => panic!("`{}` has a parameter that is not a plain name", sig.ident),
            })
            .collect()
    }

    #[test]
    fn every_command_is_declared_once_with_its_types() {
        let c = contract();
        let mut names: Vec<_> = c.commands.iter().map(|c| c.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), c.commands.len(), "a command declared twice");
        let edit = c.commands.iter().find(|c| c.name == "edit_account").expect("edit_account is declared");
        let args: Vec<_> = edit.args.iter().map(|(n, t)| format!("{n}: {t}")).collect();
        assert_eq!(
            args,
            [
                "name: string",
                "base_url: string | null",
                "options: { [key in string]: string }",
                "credentials: { [key in string]: string } | null"
            ]
        );
        let imports = c.imports.render();
        for ty in ["NewAccount", "Snapshot", "Action", "LinkKind", "Settings", "Form", "Workspace", "SshInclude"] {
            assert!(imports.contains(&format!("import type {{ {ty} }} from './{ty}';")), "{ty} imported:\n{imports}");
        }
    }
}
