use std::ffi::OsString;

use super::*;

fn folder() -> Folder {
    Folder::new("hangar-acct-ws-1a2b3c4d", "/home/ray/default").unwrap()
}

fn login() -> Login {
    Login { user: "ray".into(), port: 2222 }
}

/// Each IDE's documented form: Remote - SSH's `<scheme>://vscode-remote/ssh-remote+HOST/PATH`
/// (VS Code and its forks), Zed's `zed://ssh/HOST/PATH`, Gateway's `connect#type=ssh&...`.
#[test]
fn each_ide_gets_the_link_its_url_handler_documents() {
    let f = folder();
    let cases = [
        (LinkKind::Vscode, "vscode://vscode-remote/ssh-remote+hangar-acct-ws-1a2b3c4d/home/ray/default"),
        (
            LinkKind::VscodeInsiders,
            "vscode-insiders://vscode-remote/ssh-remote+hangar-acct-ws-1a2b3c4d/home/ray/default",
        ),
        (LinkKind::Cursor, "cursor://vscode-remote/ssh-remote+hangar-acct-ws-1a2b3c4d/home/ray/default"),
        (LinkKind::Windsurf, "windsurf://vscode-remote/ssh-remote+hangar-acct-ws-1a2b3c4d/home/ray/default"),
        (LinkKind::Zed, "zed://ssh/hangar-acct-ws-1a2b3c4d/home/ray/default"),
        (
            LinkKind::Jetbrains,
            "jetbrains-gateway://connect#type=ssh&host=hangar-acct-ws-1a2b3c4d&port=2222&user=ray\
             &projectPath=%2Fhome%2Fray%2Fdefault",
        ),
    ];
    for (kind, want) in cases {
        assert_eq!(link(kind, &f, Some(&login())).unwrap(), want, "{kind}");
        assert_eq!(folder_of(kind, want), Some(f.clone()), "{kind} reads back");
    }
    assert_eq!(
        link(LinkKind::Jetbrains, &f, None).unwrap(),
        "jetbrains-gateway://connect#type=ssh&host=hangar-acct-ws-1a2b3c4d&projectPath=%2Fhome%2Fray%2Fdefault"
    );
    for kind in [LinkKind::Browser, LinkKind::Ssh] {
        assert!(link(kind, &f, None).is_err(), "{kind} is no IDE");
    }
}

#[test]
fn command_line_tools_get_the_arguments_they_document() {
    let f = folder();
    let launch_of = |kind| launch(kind, &link(kind, &f, Some(&login())).unwrap());
    let remote = "vscode-remote://ssh-remote+hangar-acct-ws-1a2b3c4d/home/ray/default";
    for (kind, program) in [
        (LinkKind::Vscode, "code"),
        (LinkKind::VscodeInsiders, "code-insiders"),
        (LinkKind::Cursor, "cursor"),
        (LinkKind::Windsurf, "windsurf"),
    ] {
        assert_eq!(launch_of(kind), Some(IdeLaunch { program, args: vec!["--folder-uri".into(), remote.into()] }));
    }
    assert_eq!(
        launch_of(LinkKind::Zed),
        Some(IdeLaunch { program: "zed", args: vec!["ssh://hangar-acct-ws-1a2b3c4d/home/ray/default".into()] })
    );
    assert_eq!(launch_of(LinkKind::Jetbrains), None, "Gateway opens through its URL handler");
}

#[test]
fn aliases_and_folders_that_could_break_out_are_refused() {
    for alias in ["", "-oProxyCommand=x", "a b", "a/b", "a@b", "a:22", "a#b", "a?b", "a%20b", "ü", "a\n"] {
        assert!(Folder::new(alias, "/w").is_err(), "alias {alias:?}");
    }
    for dir in
        ["", "w", "/a b", "/a/../etc", "/./a", "//a", "/a?x=1", "/a#x", "/a%2F", "/a&b", "/a\"b", "/a'b", "/a\\b"]
    {
        assert!(Folder::new("h", dir).is_err(), "dir {dir:?}");
    }
    for dir in ["/", "/workspace", "/home/ray/default/", "/srv/app-1.2_x"] {
        assert!(Folder::new("hangar-a.b_c", dir).is_ok(), "dir {dir:?}");
    }
}

#[test]
fn the_launcher_refuses_any_link_it_did_not_build() {
    let refused = [
        (LinkKind::Vscode, "cursor://vscode-remote/ssh-remote+h/x"),
        (LinkKind::Vscode, "vscode://file/etc/passwd"),
        (LinkKind::Vscode, "vscode://vscode-remote/wsl+Ubuntu/x"),
        (LinkKind::Vscode, "vscode://vscode-remote/ssh-remote+h/x --disable-extensions"),
        (LinkKind::Vscode, "vscode://vscode-remote/ssh-remote+h/x?windowId=_blank"),
        (LinkKind::VscodeInsiders, "vscode-insiders://vscode-remote/ssh-remote+-oProxyCommand=sh/x"),
        (LinkKind::Windsurf, "windsurf://vscode-remote/ssh-remote+h"),
        (LinkKind::Zed, "zed://ssh/h/../../etc"),
        (LinkKind::Zed, "zed://ssh/user@h:22/x"),
        (LinkKind::Zed, "zed://settings/x"),
        (LinkKind::Jetbrains, "jetbrains-gateway://connect#type=ssh&host=h&projectPath=%2Fx&idePath=%2Ftmp%2Fevil"),
        (LinkKind::Jetbrains, "jetbrains-gateway://connect#type=coder&host=h&projectPath=%2Fx"),
        (LinkKind::Jetbrains, "jetbrains-gateway://connect#type=ssh&host=a%20b&projectPath=%2Fx"),
        (LinkKind::Browser, "https://x.example/"),
    ];
    for (kind, url) in refused {
        assert_eq!(folder_of(kind, url), None, "{url}");
        assert_eq!(launch(kind, url), None, "{url}");
    }
}

/// Stand-in executables in a fake PATH; a URL handler from the platform's query.
#[test]
fn installed_ides_are_those_on_path_or_with_a_url_handler() {
    let bin = tempfile::tempdir().unwrap();
    let other = tempfile::tempdir().unwrap();
    let exe = |dir: &Path, name: &str, mode: u32| {
        let p = dir.join(name);
        std::fs::write(&p, "#!/bin/sh\nexit 0\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
        }
        let _ = mode;
    };
    exe(bin.path(), "cursor", 0o755);
    exe(other.path(), "zed", 0o755);
    // Not executable: not an installed tool.
    exe(bin.path(), "code", 0o644);
    let path: OsString = std::env::join_paths([bin.path(), other.path()]).unwrap();
    let kinds = |handles: &dyn Fn(&str) -> bool| -> Vec<LinkKind> {
        installed(Some(&path), handles).into_iter().map(|i| i.kind).collect()
    };
    #[cfg(unix)]
    assert_eq!(kinds(&|_| false), [LinkKind::Cursor, LinkKind::Zed]);
    assert_eq!(kinds(&|s| s == "jetbrains-gateway").last(), Some(&LinkKind::Jetbrains));
    assert!(installed(None, |_| false).is_empty());
    let names: Vec<String> = installed(Some(&path), |s| s == "windsurf").into_iter().map(|i| i.name).collect();
    assert!(names.contains(&"Windsurf".to_string()), "{names:?}");
}

/// The programs Hangar may start are exactly these: the allow-list grows only on purpose.
#[test]
fn the_launch_allow_list_is_exactly_the_ide_tools() {
    let programs: Vec<&str> = IDES.iter().filter_map(|i| i.program).collect();
    assert_eq!(programs, ["code", "cursor", "windsurf", "code-insiders", "zed"]);
    assert_eq!(crate::platform::IDE_PROGRAMS.to_vec(), programs);
    for i in IDES {
        assert!(crate::platform::OPENABLE_SCHEMES.contains(&i.scheme), "{} opens", i.scheme);
    }
}
