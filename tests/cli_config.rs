//! The config file, HOOKSCOPE_* variables and flags, through the real binary; and the shell
//! completions and manual page it prints. Every run has its own XDG_CONFIG_HOME (see
//! `common::hookscope`), so the user's own config is never read.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use clap::CommandFactory;
use common::{client, hookscope};
use serde_json::Value;

/// A temporary home whose config file (at the default place) holds `text`.
fn home_with_config(text: &str) -> (tempfile::TempDir, PathBuf) {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("config/hookscope/config.toml");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    (home, path)
}

fn run(command: &mut Command) -> Output {
    command.output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// `hookscope config --json` with `extra` arguments: the settings by name.
fn settings(home: &Path, env: &[(&str, &str)], extra: &[&str]) -> Vec<Value> {
    let output = run(hookscope(home)
        .args(["config", "--json"])
        .args(extra)
        .envs(env.iter().copied()));
    assert!(output.status.success(), "{}", stderr(&output));
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    report["settings"].as_array().unwrap().clone()
}

fn setting<'a>(settings: &'a [Value], name: &str) -> &'a Value {
    settings
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no setting {name} in {settings:?}"))
}

const FILE: &str = "# mine\nlisten = \"127.0.0.1:9001\"\nkeep = 10\ntheme = \"light\"\n";

#[test]
fn file_values_apply_and_say_where_they_came_from() {
    let (home, path) = home_with_config(FILE);
    let all = settings(home.path(), &[], &[]);
    let path = path.display().to_string();
    for (name, value, line) in [
        ("listen", Value::from("127.0.0.1:9001"), 2),
        ("keep", Value::from(10), 3),
        ("theme", Value::from("light"), 4),
    ] {
        let found = setting(&all, name);
        assert_eq!(found["value"], value, "{found}");
        assert_eq!(found["source"], "file", "{found}");
        assert_eq!(found["file"], path.as_str(), "{found}");
        assert_eq!(found["line"], line, "{found}");
    }
    let default = setting(&all, "max-body");
    assert_eq!(default["source"], "default");
    assert_eq!(default["value"], "32MiB");
    // Every listen option is listed, each with name, value and source.
    let listen = hookscope::cli::Cli::command();
    let options = listen
        .get_arguments()
        .filter(|a| !a.is_global_set() && a.get_long().is_some_and(|l| l != "help"))
        .count();
    assert_eq!(all.len(), options);
}

#[test]
fn the_environment_beats_the_file_and_a_flag_beats_both() {
    let (home, _) = home_with_config(FILE);
    let env = [
        ("HOOKSCOPE_LISTEN", "127.0.0.1:9002"),
        ("HOOKSCOPE_KEEP", "20"),
        ("HOOKSCOPE_THEME", "dark"),
    ];
    let all = settings(home.path(), &env, &[]);
    for (name, value, var) in [
        ("listen", Value::from("127.0.0.1:9002"), "HOOKSCOPE_LISTEN"),
        ("keep", Value::from(20), "HOOKSCOPE_KEEP"),
        ("theme", Value::from("dark"), "HOOKSCOPE_THEME"),
    ] {
        let found = setting(&all, name);
        assert_eq!((&found["value"], &found["source"]), (&value, &"env".into()));
        assert_eq!(found["env"], var);
    }
    let flags = ["--listen", "9003", "--keep", "30", "--theme", "auto"];
    let all = settings(home.path(), &env, &flags);
    for (name, value, flag) in [
        ("listen", Value::from("127.0.0.1:9003"), "--listen"),
        ("keep", Value::from(30), "--keep"),
        ("theme", Value::from("auto"), "--theme"),
    ] {
        let found = setting(&all, name);
        assert_eq!(
            (&found["value"], &found["source"]),
            (&value, &"flag".into())
        );
        assert_eq!(found["flag"], flag);
    }
}

#[test]
fn another_file_can_be_chosen_or_none_at_all() {
    let (home, default_path) = home_with_config("keep = 1\n");
    let other = home.path().join("other.toml");
    std::fs::write(&other, "keep = 2\n").unwrap();
    let third = home.path().join("third.toml");
    std::fs::write(&third, "keep = 3\n").unwrap();
    let other_env = [("HOOKSCOPE_CONFIG", other.to_str().unwrap())];
    let keep = |env: &[(&str, &str)], extra: &[&str]| {
        setting(&settings(home.path(), env, extra), "keep")["value"].clone()
    };
    assert_eq!(keep(&[], &[]), 1);
    assert_eq!(keep(&other_env, &[]), 2);
    assert_eq!(keep(&other_env, &["--config", third.to_str().unwrap()]), 3);
    assert_eq!(keep(&other_env, &["--no-config"]), 100_000);

    let path = |env: &[(&str, &str)]| {
        let output = run(hookscope(home.path())
            .args(["config", "path"])
            .envs(env.iter().copied()));
        assert!(output.status.success(), "{}", stderr(&output));
        stdout(&output).trim_end().to_owned()
    };
    assert_eq!(path(&[]), default_path.display().to_string());
    assert_eq!(path(&other_env), other.display().to_string());

    let missing = run(hookscope(home.path()).args(["--config", "/nonexistent.toml", "config"]));
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("/nonexistent.toml (given by --config) does not exist"));
}

#[test]
fn a_bad_file_is_reported_with_its_line_and_key_and_hookscope_does_not_start() {
    let (home, path) = home_with_config("listen = \"127.0.0.1:0\"\nkep = 5\ntheme = 3\n");
    let output = run(hookscope(home.path()).arg("--headless"));
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let message = stderr(&output);
    let path = path.display().to_string();
    assert!(
        message.contains(&format!(
            "{path}:2:1: unknown key `kep`; did you mean `keep`?"
        )),
        "{message}"
    );
    assert!(
        message.contains(&format!(
            "{path}:3:9: `theme`: expected one of auto, dark, light, not a number (3)"
        )),
        "{message}"
    );
    assert!(message.contains("--no-config"), "{message}");
    assert!(!message.contains("listening"), "{message}");
    // The other commands that read the config refuse too; `config path` still answers.
    let config = run(hookscope(home.path()).arg("config"));
    assert_eq!(config.status.code(), Some(2));
    let list = run(hookscope(home.path()).arg("list"));
    assert_eq!(list.status.code(), Some(2));
    assert!(
        run(hookscope(home.path()).args(["config", "path"]))
            .status
            .success()
    );
}

#[test]
fn broken_toml_and_bad_values_name_the_line() {
    let (home, path) = home_with_config("keep = 5\nstatus = \n");
    let message = stderr(&run(hookscope(home.path()).arg("config")));
    let path = path.display().to_string();
    assert!(message.contains(&format!("{path}:2:")), "{message}");
    assert!(message.contains("not valid TOML"), "{message}");

    let (home, _) = home_with_config("keep = \"lots\"\nmax-body = \"huge\"\n");
    let message = stderr(&run(hookscope(home.path()).arg("config")));
    assert!(
        message.contains(":1:8: `keep`: expected a whole number, e.g. 100000, not a string"),
        "{message}"
    );
    assert!(
        message.contains(":2:12: `max-body`: \"huge\" is not a size"),
        "{message}"
    );
}

#[test]
fn a_bad_environment_variable_is_named() {
    let home = tempfile::tempdir().unwrap();
    let output = run(hookscope(home.path())
        .arg("config")
        .env("HOOKSCOPE_MAX_BODY", "lots"));
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("HOOKSCOPE_MAX_BODY: \"lots\" is not a size"),
        "{}",
        stderr(&output)
    );
}

/// The listener really runs with the file's settings, and `list` reads the store the file
/// names.
#[tokio::test(flavor = "multi_thread")]
async fn the_listener_and_list_use_the_configured_settings() {
    let (home, path) = home_with_config(
        "listen = \"127.0.0.1:0\"\nstatus = 202\nresponse-body = \"from the file\"\n\
         db = \"mine.sqlite3\"\n",
    );
    let mut child = hookscope(home.path())
        .arg("--headless")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Kept open until the child has exited: it reports stopping on stderr.
    let mut status_lines = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    status_lines.read_line(&mut line).unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_owned();
    let response = client()
        .post(format!("http://{addr}/hook"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 202);
    assert_eq!(response.text().await.unwrap(), "from the file");
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert!(child.wait().unwrap().success());
    drop(status_lines);

    let store = path.parent().unwrap().join("mine.sqlite3");
    assert!(store.is_file(), "no store at {}", store.display());
    let list = run(hookscope(home.path()).args(["list", "--json"]));
    assert!(list.status.success(), "{}", stderr(&list));
    assert_eq!(stdout(&list).lines().count(), 1, "{}", stdout(&list));
}

fn subcommands() -> Vec<String> {
    hookscope::cli::Cli::command()
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect()
}

#[test]
fn completions_for_every_shell_know_every_subcommand() {
    let home = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = run(hookscope(home.path()).args(["completions", shell]));
        assert!(output.status.success(), "{shell}: {}", stderr(&output));
        let script = stdout(&output);
        assert!(script.len() > 1000, "{shell}: {script}");
        for name in subcommands() {
            assert!(script.contains(&name), "{shell} completion lacks {name}");
        }
        assert!(
            script.contains("max-body"),
            "{shell} completion lacks --max-body"
        );
    }
    let unknown = run(hookscope(home.path()).args(["completions", "tcsh"]));
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn the_man_page_is_roff_and_covers_every_subcommand() {
    let home = tempfile::tempdir().unwrap();
    let output = run(hookscope(home.path()).arg("man"));
    assert!(output.status.success(), "{}", stderr(&output));
    let page = stdout(&output);
    assert!(page.starts_with(".TH hookscope 1"), "{}", &page[..60]);
    for name in subcommands() {
        // Listed in SUBCOMMANDS, and described in a section of its own.
        assert!(page.contains(&format!("hookscope\\-{}", name.replace('-', "\\-"))));
        assert!(
            page.contains(&format!(".SS \"hookscope {name}\"")),
            "no section for {name}"
        );
    }
    for section in [
        ".SH SYNOPSIS",
        ".SH OPTIONS",
        ".SH FILES",
        ".SH ENVIRONMENT",
    ] {
        assert!(page.contains(section), "no {section}");
    }
    assert!(page.contains("HOOKSCOPE_CONFIG") && page.contains("HOOKSCOPE_KEEP"));

    let dir = home.path().join("man1");
    let output = run(hookscope(home.path()).args(["man", "--dir", dir.to_str().unwrap()]));
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        std::fs::read_to_string(dir.join("hookscope.1")).unwrap(),
        page
    );
    for name in subcommands() {
        let sub = std::fs::read_to_string(dir.join(format!("hookscope-{name}.1"))).unwrap();
        assert!(sub.contains(".TH"), "hookscope-{name}.1");
    }
}

#[test]
fn send_posts_to_where_listen_is_configured_to_listen() {
    let sent = |home: &Path, env: &[(&str, String)], vendor: &str| {
        let out = run(hookscope(home)
            .envs(env.iter().cloned())
            .args(["send", vendor]));
        assert!(out.status.success(), "{}", stderr(&out));
    };
    let app = common::receiver::RawReceiver::ok();
    let port = app.addr.port();
    let (home, _) = home_with_config(&format!("listen = \"0.0.0.0:{port}\"\n"));
    sent(home.path(), &[], "octopus");
    let requests = app.wait_for(1, std::time::Duration::from_secs(5));
    let (line, ..) = common::receiver::split_request(&requests[0]);
    assert_eq!(line, "POST /webhooks/octopus HTTP/1.1");
    // The environment is above the file, as for listen.
    let other = common::receiver::RawReceiver::ok();
    let env = [("HOOKSCOPE_LISTEN", other.addr.port().to_string())];
    sent(home.path(), &env, "firefly");
    assert_eq!(
        other.wait_for(1, std::time::Duration::from_secs(5)).len(),
        1
    );
    assert_eq!(app.requests().len(), 1);
}
