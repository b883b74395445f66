//! hangarctl: the headless face of Hangar. Commands, JSON and exit codes follow
//! `docs/cli-contract.md`; data goes to stdout, errors to stderr.

mod forward;
mod output;
mod sign_in;

use std::collections::BTreeMap;
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};
use hangar_core::http::HttpSettings;
use hangar_core::node::{Node, NodeEvent};
use hangar_core::secrets::{Credentials, KeyringStore};
use hangar_core::settings::SshIncludeConsent;
use hangar_core::storage::{Paths, Storage};
use hangar_core::{Account, Action, Error, Hangar, LinkKind, ProviderId, Result, WorkspaceState};

#[derive(Parser)]
#[command(name = "hangarctl", version, about = "Manage cloud development workspaces from the command line")]
struct Cli {
    /// Directory for the account list and options (default: $HANGAR_CONFIG_DIR, else ~/.config/hangar)
    #[arg(long, global = true, value_name = "DIR")]
    config_dir: Option<PathBuf>,
    /// Print JSON on stdout (and errors as JSON on stderr)
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the providers Hangar supports and the credentials each needs
    Providers,
    /// Add, list, remove or test accounts
    #[command(subcommand)]
    Account(AccountCommand),
    /// List workspaces of every account (or one)
    Ls {
        #[arg(long)]
        account: Option<String>,
    },
    /// Show an account's create form, with its live choices
    Form {
        account: String,
        /// Values picked so far, to narrow dependent choices
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
    },
    /// Create a workspace
    Create {
        account: String,
        #[arg(long)]
        name: String,
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
        /// Wait until it is running
        #[arg(long)]
        wait: bool,
        #[arg(long, default_value_t = 900, value_name = "SECS")]
        timeout: u64,
    },
    /// Start a workspace
    Start(ActOnOne),
    /// Stop a workspace
    Stop(ActOnOne),
    /// Change a workspace (where the provider supports it)
    Update {
        account: String,
        id: String,
        #[arg(long = "set", value_name = "KEY=VALUE", required = true)]
        set: Vec<String>,
    },
    /// Delete a workspace
    Delete {
        account: String,
        id: String,
        /// Do not ask for confirmation
        #[arg(long)]
        yes: bool,
        #[arg(long)]
        wait: bool,
        #[arg(long, default_value_t = 600, value_name = "SECS")]
        timeout: u64,
    },
    /// Open a workspace in the browser or an IDE
    Open {
        account: String,
        id: String,
        #[arg(long, default_value = "browser", value_parser = clap::builder::PossibleValuesParser::new(LinkKind::NAMES))]
        target: String,
        /// Print the link instead of opening it
        #[arg(long)]
        print: bool,
        /// Whether Hangar may add its `Include` line to ~/.ssh/config (remembered), for IDE
        /// links that go through an SSH host alias
        #[arg(long, value_name = "allow|decline", value_parser = ["allow", "decline"])]
        ssh_include: Option<String>,
    },
    /// Show one workspace with the timeline Hangar observed
    Show { account: String, id: String },
    /// Forward a port of a running workspace to 127.0.0.1 over its SSH alias, until Ctrl-C
    /// (or the workspace stops); prints the local address
    Forward {
        account: String,
        id: String,
        /// The port on the workspace (reached as its localhost)
        remote_port: u16,
        /// The local port (default: a free one)
        #[arg(long, value_name = "PORT")]
        local: Option<u16>,
    },
    /// Carry an SSH connection through the workspace's provider tunnel (the ProxyCommand of
    /// the host aliases Hangar writes); bytes on standard input and output
    Tunnel { account: String, id: String },
    /// Print state changes, coalesced as the app's notifications are, until Ctrl-C
    Watch {
        /// Also print the notifications the app would show for them
        #[arg(long)]
        notifications: bool,
    },
    /// Demo clouds on 127.0.0.1
    #[command(subcommand)]
    Demo(DemoCommand),
}

#[derive(clap::Args)]
struct ActOnOne {
    account: String,
    id: String,
    /// Wait until the workspace settles
    #[arg(long)]
    wait: bool,
    #[arg(long, default_value_t = 600, value_name = "SECS")]
    timeout: u64,
}

#[derive(Subcommand)]
enum AccountCommand {
    /// Add an account; credentials are read from standard input
    Add {
        provider: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        base_url: Option<String>,
        #[arg(long = "option", value_name = "KEY=VALUE")]
        option: Vec<String>,
        /// Store without making a test call first
        #[arg(long)]
        no_verify: bool,
        #[command(flatten)]
        sign_in: sign_in::SignInArgs,
    },
    /// Change an account's base URL or options; one authenticated call with them comes first.
    /// A new address (base URL, sign-in URL) takes the credentials again on standard input
    Edit {
        name: String,
        /// The new base URL; an empty value returns to the provider's default
        #[arg(long)]
        base_url: Option<String>,
        /// Set an option; `KEY=` (empty value) removes it. Options not named are kept.
        #[arg(long = "option", value_name = "KEY=VALUE")]
        option: Vec<String>,
    },
    /// Replace an account's credentials (a rotated key) from standard input, after one
    /// authenticated call with them; the old ones stay if it fails
    Credentials { name: String },
    /// List accounts
    Ls,
    /// Remove an account and its keyring entries
    Rm { name: String },
    /// Make one cheap authenticated call
    Test { name: String },
    /// Sign in again and replace the account's tokens (exalsius)
    Login {
        name: String,
        #[command(flatten)]
        sign_in: sign_in::SignInArgs,
    },
    /// Revoke the account's sign-in and remove its tokens, keeping the account (exalsius)
    Logout { name: String },
}

#[derive(Subcommand)]
enum DemoCommand {
    /// Start the demo clouds and print their base URLs and tokens
    Serve {
        /// How long a new workspace stays creating (a GPU box that waits for capacity)
        #[arg(long, default_value_t = 5, value_name = "SECS")]
        provision_secs: u64,
    },
}

fn main() {
    let cli = Cli::parse();
    init_logging();
    let json = cli.json;
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(r) => r,
        Err(e) => output::fail(&Error::Internal(format!("runtime: {e}")), json),
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => std::process::exit(code),
        Err(e) => output::fail(&e, json),
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("HANGAR_LOG").unwrap_or_else(|_| "warn".into());
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false).init();
}

fn http_settings() -> HttpSettings {
    let mut s = HttpSettings::default();
    if let Some(secs) = std::env::var("HANGAR_HTTP_TIMEOUT_SECS").ok().and_then(|v| v.parse::<f64>().ok()) {
        s.timeout = Duration::from_secs_f64(secs.max(0.1));
        s.connect_timeout = s.connect_timeout.min(s.timeout);
    }
    s
}

fn hangar(config_dir: Option<PathBuf>) -> Result<Arc<Hangar>> {
    let paths = Paths::resolve(config_dir)?;
    Ok(Arc::new(Hangar::new(Storage::on_disk(paths), Arc::new(KeyringStore::default()), http_settings())))
}

fn pairs(list: &[String], flag: &str) -> Result<BTreeMap<String, String>> {
    list.iter()
        .map(|kv| {
            kv.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.to_string()))
                .filter(|(k, _)| !k.is_empty())
                .ok_or_else(|| Error::usage(format!("{flag} takes KEY=VALUE, got '{kv}'")))
        })
        .collect()
}

fn read_credentials(single_field: &str) -> Result<Credentials> {
    let mut stdin = std::io::stdin();
    let mut text = String::new();
    if stdin.is_terminal() {
        eprint!("{single_field} (or a JSON object of fields), then Enter: ");
        let _ = std::io::stderr().flush();
        stdin.read_line(&mut text).map_err(|e| Error::usage(format!("cannot read standard input: {e}")))?;
    } else {
        stdin.read_to_string(&mut text).map_err(|e| Error::usage(format!("cannot read standard input: {e}")))?;
    }
    Credentials::parse_input(&text, single_field)
}

async fn run(cli: Cli) -> Result<i32> {
    let json = cli.json;
    match cli.command {
        Command::Providers => {
            output::providers(&hangar_core::provider::available(), json);
            Ok(0)
        }
        Command::Account(cmd) => account(cmd, cli.config_dir, json).await,
        Command::Ls { account } => {
            let h = hangar(cli.config_dir)?;
            let listing = h.list(account.as_deref()).await?;
            output::workspaces(&listing.workspaces, json);
            let mut code = 0;
            for (name, e) in &listing.failures {
                output::account_error(name, e, json);
                code = e.exit_code();
            }
            Ok(code)
        }
        Command::Form { account, set } => {
            let h = hangar(cli.config_dir)?;
            let form = h.create_form(&account, &pairs(&set, "--set")?).await?;
            output::form(&form, json);
            Ok(0)
        }
        Command::Create { account, name, set, wait, timeout } => {
            let h = hangar(cli.config_dir)?;
            let input = pairs(&set, "--set")?;
            let mut w = h.create(&account, &name, &input).await?;
            if wait {
                w = h
                    .wait(&account, &w.id, |s| s == WorkspaceState::Running, Duration::from_secs(timeout), poll())
                    .await?;
            }
            output::workspace(&w, json);
            Ok(0)
        }
        Command::Show { account, id } => {
            let h = hangar(cli.config_dir)?;
            output::details(&h.details(&account, &id).await?, json);
            Ok(0)
        }
        Command::Start(a) => act(cli.config_dir, a, Action::Start, WorkspaceState::Running, json).await,
        Command::Stop(a) => act(cli.config_dir, a, Action::Stop, WorkspaceState::Stopped, json).await,
        Command::Update { account, id, set } => {
            let h = hangar(cli.config_dir)?;
            h.update(&account, &id, &pairs(&set, "--set")?).await?;
            output::workspace(&h.get(&account, &id).await?, json);
            Ok(0)
        }
        Command::Delete { account, id, yes, wait, timeout } => {
            let h = hangar(cli.config_dir)?;
            if !yes
                && !confirm(&format!("Delete workspace {id} of account '{account}'? This destroys its disk. [y/N] "))?
            {
                return Err(Error::usage("not deleted (confirm with --yes)"));
            }
            h.act(&account, &id, Action::Delete).await?;
            if wait {
                h.wait(&account, &id, |s| s == WorkspaceState::Deleted, Duration::from_secs(timeout), poll()).await?;
            }
            output::done(&account, &id, "deleted", json);
            Ok(0)
        }
        Command::Open { account, id, target, print, ssh_include } => {
            let h = hangar(cli.config_dir)?;
            let kind = target
                .parse::<LinkKind>()
                .map_err(|_| Error::invalid("target", format!("unknown target '{target}'")))?;
            if let Some(choice) = ssh_include {
                let mut settings = h.storage().settings();
                settings.ssh_include =
                    if choice == "allow" { SshIncludeConsent::Allowed } else { SshIncludeConsent::Declined };
                h.storage().save_settings(&settings)?;
            }
            let link = h.open(&account, &id, kind).await?;
            hangar_core::platform::check_openable(&link.url)?;
            // An IDE by its own command-line tool where it is installed, else its URL handler.
            if !print && !hangar_core::platform::launch_ide(link.kind, &link.url)? {
                hangar_core::platform::open_url(&link.url)?;
            }
            output::link(&link, json);
            Ok(0)
        }
        Command::Forward { account, id, remote_port, local } => {
            forward::run(hangar(cli.config_dir)?, &account, &id, remote_port, local, json).await
        }
        Command::Tunnel { account, id } => {
            let h = hangar(cli.config_dir)?;
            let target = h.tunnel(&account, &id).await?;
            hangar_core::tunnel::pump(&target, tokio::io::stdin(), tokio::io::stdout()).await?;
            Ok(0)
        }
        Command::Watch { notifications } => {
            // The app's own runtime and policy, with no window to have focus.
            let node = Node::start(hangar(cli.config_dir)?, None);
            let mut events = node.events();
            loop {
                tokio::select! {
                    event = events.recv() => match event {
                        Ok(NodeEvent::Coalesced(changes)) => changes.iter().for_each(|c| output::change(c, json)),
                        Ok(NodeEvent::Notify(note)) if notifications => output::notification(&note, json),
                        Ok(_) => {}
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                        Err(_) => return Ok(0),
                    },
                    _ = tokio::signal::ctrl_c() => return Ok(0),
                }
            }
        }
        Command::Demo(DemoCommand::Serve { provision_secs }) => {
            let timing = hangar_demo::Timing {
                provision: Duration::from_secs(provision_secs),
                ..hangar_demo::Timing::realistic()
            };
            let clouds = hangar_demo::DemoClouds::start(timing)
                .await
                .map_err(|e| Error::Internal(format!("could not start the demo clouds: {e}")))?;
            output::demo(&clouds.clouds(), json);
            let _ = tokio::signal::ctrl_c().await;
            Ok(0)
        }
    }
}

fn poll() -> Duration {
    Duration::from_millis(std::env::var("HANGAR_POLL_MS").ok().and_then(|v| v.parse().ok()).unwrap_or(1000))
}

fn confirm(question: &str) -> Result<bool> {
    if !std::io::stdin().is_terminal() {
        return Err(Error::usage("refusing to delete without --yes when standard input is not a terminal"));
    }
    eprint!("{}", output::shown(question));
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer).map_err(|e| Error::usage(format!("cannot read the answer: {e}")))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

async fn act(
    config_dir: Option<PathBuf>,
    a: ActOnOne,
    action: Action,
    target: WorkspaceState,
    json: bool,
) -> Result<i32> {
    let h = hangar(config_dir)?;
    h.act(&a.account, &a.id, action).await?;
    let w = if a.wait {
        h.wait(&a.account, &a.id, |s| s == target, Duration::from_secs(a.timeout), poll()).await?
    } else {
        h.get(&a.account, &a.id).await?
    };
    output::workspace(&w, json);
    Ok(0)
}

async fn account(cmd: AccountCommand, config_dir: Option<PathBuf>, json: bool) -> Result<i32> {
    let h = hangar(config_dir)?;
    match cmd {
        AccountCommand::Add { provider, name, base_url, option, no_verify, sign_in } => {
            let id = ProviderId::parse(&provider).ok_or_else(|| {
                let known: Vec<String> = hangar_core::provider::available().iter().map(|p| p.id.to_string()).collect();
                Error::invalid("provider", format!("unknown provider '{provider}' ({})", known.join(", ")))
            })?;
            let info = hangar_core::provider::info(id).ok_or_else(|| {
                Error::Unsupported(format!("provider '{provider}' is not available in this build yet"))
            })?;
            let single = info.credential_fields.first().map(|f| f.key.clone()).unwrap_or_else(|| "token".into());
            let account = Account { name: name.clone(), provider: id, base_url, options: pairs(&option, "--option")? };
            let creds = match sign_in::credentials(&account, &sign_in).await? {
                Some(signed_in) => signed_in,
                None => read_credentials(&single)?,
            };
            h.add_account(account, creds, !no_verify).await?;
            output::done(&name, "", "added", json);
        }
        AccountCommand::Edit { name, base_url, option } => {
            let current = h.account(&name)?;
            let base_url = base_url.map_or(current.base_url, |u| Some(u).filter(|u| !u.trim().is_empty()));
            let mut options = current.options;
            for (key, value) in pairs(&option, "--option")? {
                if value.is_empty() {
                    options.remove(&key);
                } else {
                    options.insert(key, value);
                }
            }
            // Credentials are only ever sent where they were saved for: a move to another
            // address takes them again, from standard input like `add`.
            let credentials = match h.edit_needs_credentials(&name, base_url.clone(), options.clone())? {
                true => {
                    let info = hangar_core::provider::info(current.provider).ok_or_else(|| {
                        Error::Unsupported(format!("account '{name}' has a provider this build lacks"))
                    })?;
                    let single =
                        info.credential_fields.first().map(|f| f.key.clone()).unwrap_or_else(|| "token".into());
                    Some(read_credentials(&single)?)
                }
                false => None,
            };
            h.edit_account(&name, base_url, options, credentials).await?;
            output::done(&name, "", "changed", json);
        }
        AccountCommand::Credentials { name } => {
            let info = hangar_core::provider::info(h.account(&name)?.provider)
                .ok_or_else(|| Error::Unsupported(format!("account '{name}' has a provider this build lacks")))?;
            let single = info.credential_fields.first().map(|f| f.key.clone()).unwrap_or_else(|| "token".into());
            h.change_credentials(&name, read_credentials(&single)?).await?;
            output::done(&name, "", "credentials replaced", json);
        }
        AccountCommand::Ls => output::accounts(&h.accounts()?, json),
        AccountCommand::Rm { name } => {
            h.remove_account(&name).await?;
            output::done(&name, "", "removed", json);
        }
        AccountCommand::Login { name, sign_in } => {
            sign_in::login(&h, &name, &sign_in).await?;
            output::done(&name, "", "signed in", json);
        }
        AccountCommand::Logout { name } => {
            sign_in::logout(&h, &name).await?;
            output::done(&name, "", "signed out", json);
        }
        AccountCommand::Test { name } => {
            h.test_account(&name).await?;
            output::done(&name, "", "ok", json);
        }
    }
    Ok(0)
}
