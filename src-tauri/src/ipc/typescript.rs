//! Writes the declared commands as `commands.ts`: an interface of typed calls and a function
//! that builds them over any `invoke`, so the bindings themselves import nothing from Tauri.

use hangar_core::bindings::Imports;

#[derive(Debug, Default)]
pub struct Contract {
    pub imports: Imports,
    pub commands: Vec<Command>,
}

#[derive(Debug)]
pub struct Command {
    /// The Rust function's name, which is the name `invoke` takes.
    pub name: &'static str,
    pub docs: Vec<&'static str>,
    /// Argument names as in Rust, with their TypeScript types.
    pub args: Vec<(&'static str, String)>,
    /// TypeScript type of the `Ok` answer (`null` for `()`).
    pub answer: String,
}

impl Command {
    fn method(&self) -> String {
        camel(self.name)
    }

    /// `()` comes back as `null`; to the caller that is a call with no answer.
    fn answer(&self) -> &str {
        if self.answer == "null" {
            "void"
        } else {
            &self.answer
        }
    }

    fn params(&self) -> String {
        self.args.iter().map(|(name, ty)| format!("{}: {ty}", camel(name))).collect::<Vec<_>>().join(", ")
    }

    /// Tauri matches arguments by their camelCase names.
    fn arg_names(&self) -> Vec<String> {
        self.args.iter().map(|(name, _)| camel(name)).collect()
    }
}

impl Contract {
    pub fn render(&self) -> String {
        let mut out = self.imports.render();
        out.push_str(concat!(
            "\n/** Sends one command with its named arguments and resolves with its answer. */\n",
            "export type Invoke = (command: string, args: Record<string, unknown>) => Promise<unknown>;\n",
            "\n/** Every command the desktop shell answers (src-tauri/src/ipc.rs), as typed calls. */\n",
            "export interface Commands {\n",
        ));
        for c in &self.commands {
            out.push_str(&doc_comment(&c.docs, "  "));
            out.push_str(&format!("  {}({}): Promise<{}>;\n", c.method(), c.params(), c.answer()));
        }
        out.push_str("}\n\n/** The commands over `invoke`. */\nexport function commands(invoke: Invoke): Commands {\n  return {\n");
        for c in &self.commands {
            let names = c.arg_names().join(", ");
            let args = if names.is_empty() { "{}".to_string() } else { format!("{{ {names} }}") };
            out.push_str(&format!(
                "    {}: ({names}) => invoke('{}', {args}) as Promise<{}>,\n",
                c.method(),
                c.name,
                c.answer()
            ));
        }
        out.push_str("  };\n}\n");
        out
    }
}

/// `base_url` → `baseUrl`.
fn camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for ch in snake.chars() {
        match ch {
            '_' => upper = true,
            _ if upper => {
                out.extend(ch.to_uppercase());
                upper = false;
            }
            _ => out.push(ch),
        }
    }
    out
}

/// Rust doc lines (each with its leading space) as a JSDoc comment.
fn doc_comment(lines: &[&str], indent: &str) -> String {
    match lines {
        [] => String::new(),
        [one] => format!("{indent}/** {} */\n", one.trim()),
        _ => {
            let body: String = lines.iter().map(|l| format!("{indent} *{}\n", l.trim_end())).collect();
            format!("{indent}/**\n{body}{indent} */\n")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit() -> Command {
        Command {
            name: "edit_account",
            docs: vec![" Changes an account.", " Checked first."],
            args: vec![("name", "string".into()), ("base_url", "string | null".into())],
            answer: "null".into(),
        }
    }

    #[test]
    fn a_command_becomes_a_camel_case_method_over_its_snake_case_name() {
        let ts = Contract { commands: vec![edit()], ..Default::default() }.render();
        assert!(ts.contains("  editAccount(name: string, baseUrl: string | null): Promise<void>;\n"), "{ts}");
        assert!(
            ts.contains(
                "    editAccount: (name, baseUrl) => invoke('edit_account', { name, baseUrl }) as Promise<void>,\n"
            ),
            "{ts}"
        );
        assert!(ts.contains("  /**\n   * Changes an account.\n   * Checked first.\n   */\n"), "{ts}");
    }

    #[test]
    fn a_command_without_arguments_sends_an_empty_object() {
        let info = Command { name: "app_info", docs: vec![], args: vec![], answer: "AppInfo".into() };
        let ts = Contract { commands: vec![info], ..Default::default() }.render();
        assert!(ts.contains("  appInfo(): Promise<AppInfo>;\n"), "{ts}");
        assert!(ts.contains("    appInfo: () => invoke('app_info', {}) as Promise<AppInfo>,\n"), "{ts}");
    }

    #[test]
    fn camel_case_is_what_tauri_expects_of_argument_names() {
        assert_eq!(camel("base_url"), "baseUrl");
        assert_eq!(camel("take_pending_link"), "takePendingLink");
        assert_eq!(camel("name"), "name");
    }
}
