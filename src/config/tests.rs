use std::collections::HashMap;

use clap::{CommandFactory, FromArgMatches};

use super::*;
use crate::cli::{Cli, Command};
use crate::tui::theme::ThemeChoice;

/// A config file in a temporary folder, an environment, and a command line.
struct Case {
    dir: tempfile::TempDir,
    env: HashMap<String, String>,
}

impl Case {
    fn new(file: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.toml"), file).unwrap();
        let mut env = HashMap::new();
        env.insert(
            CONFIG_VAR.to_owned(),
            dir.path().join("config.toml").display().to_string(),
        );
        Self { dir, env }
    }

    fn env(mut self, name: &str, value: &str) -> Self {
        self.env.insert(name.to_owned(), value.to_owned());
        self
    }

    fn run(&self, line: &[&str]) -> Result<(ListenArgs, Vec<Effective>), ConfigError> {
        let matches = Cli::command()
            .try_get_matches_from(std::iter::once("hookscope").chain(line.iter().copied()))
            .unwrap();
        let cli = Cli::from_arg_matches(&matches).unwrap();
        let config = Config::load_with(&cli.config, &|name| self.env.get(name).cloned())?;
        let listen_matches = matches.subcommand_matches("listen").unwrap_or(&matches);
        let Command::Listen(mut args) = cli.into_command() else {
            panic!("expected listen");
        };
        let effective = config.apply_listen(&mut args, listen_matches)?;
        Ok((args, effective))
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("config.toml")
    }
}

fn source(effective: &[Effective], name: &str) -> Source {
    effective
        .iter()
        .find(|e| e.setting.name == name)
        .unwrap()
        .source
        .clone()
}

#[test]
fn the_file_is_under_the_environment_which_is_under_the_flags() {
    let case = Case::new("listen = 9001\nkeep = 10\ntheme = \"light\"\n")
        .env("HOOKSCOPE_KEEP", "20")
        .env("HOOKSCOPE_THEME", "dark");
    let (args, effective) = case.run(&["--theme", "auto"]).unwrap();
    assert_eq!(args.listen.to_string(), "127.0.0.1:9001");
    assert_eq!(args.keep, 20);
    assert_eq!(args.theme, ThemeChoice::Auto);
    let path = case.path();
    assert_eq!(source(&effective, "listen"), Source::File { path, line: 1 });
    assert_eq!(
        source(&effective, "keep"),
        Source::Env("HOOKSCOPE_KEEP".into())
    );
    assert_eq!(source(&effective, "theme"), Source::Flag("--theme".into()));
    assert_eq!(source(&effective, "max-body"), Source::Default);
}

#[test]
fn the_subcommand_and_bare_hookscope_are_filled_alike() {
    let case = Case::new("keep = 7\n");
    for line in [&["listen"][..], &[]] {
        let (args, _) = case.run(line).unwrap();
        assert_eq!(args.keep, 7);
    }
    let (args, _) = case.run(&["listen", "--keep", "8"]).unwrap();
    assert_eq!(args.keep, 8);
}

#[test]
fn a_flag_equal_to_the_default_still_beats_the_file() {
    let case = Case::new("keep = 7\n");
    let (args, effective) = case.run(&["--keep", "100000"]).unwrap();
    assert_eq!(args.keep, 100_000);
    assert_eq!(source(&effective, "keep"), Source::Flag("--keep".into()));
}

#[test]
fn lists_from_a_higher_place_replace_the_lower_ones() {
    let case = Case::new(
        "forward-to = [\"http://localhost:3001 vendor:octopus\", \"http://localhost:3002\"]\n\
         response-header = \"X-From: file\"\n",
    )
    .env("HOOKSCOPE_RESPONSE_HEADER", "X-A: 1\nX-B: 2");
    let (args, _) = case.run(&[]).unwrap();
    assert_eq!(args.forward_to.len(), 2);
    assert_eq!(args.forward_to[0].filter_text, "vendor:octopus");
    let headers: Vec<&str> = args
        .response_headers
        .iter()
        .map(|h| h.written.as_str())
        .collect();
    assert_eq!(headers, ["X-A", "X-B"]);
    let (args, _) = case
        .run(&["--forward-to", "http://localhost:4000"])
        .unwrap();
    assert_eq!(args.forward_to.len(), 1);
}

#[test]
fn every_setting_can_come_from_the_file() {
    let case = Case::new(
        r#"
listen = "0.0.0.0:8080"
require-auth = "bearer:t0ken"
db = "captures.sqlite3"
fsync = true
keep = 5
max-body = "1MiB"
max-headers = 150
max-header-bytes = "64KiB"
status = 202
response-body = "thanks {id}"
response-header = ["X-Test: yes"]
delay = 250
headless = true
theme = "light"
forward-to = ["http://localhost:3001"]
forward-timeout = "2s"
forward-reply = true
insecure = true
resign = true
show-secrets = true
clipboard = "osc52"
"#,
    );
    let (args, effective) = case.run(&[]).unwrap();
    assert_eq!(args.db, Some(case.dir.path().join("captures.sqlite3")));
    assert_eq!((args.keep, args.max_body, args.status), (5, 1 << 20, 202));
    assert_eq!((args.max_headers, args.max_header_bytes), (150, 64 << 10));
    assert_eq!(args.forward_timeout, std::time::Duration::from_secs(2));
    assert!(args.fsync && args.headless && args.forward_reply && args.insecure && args.resign);
    assert!(args.show_secrets);
    assert_eq!(
        args.require_auth,
        Some(crate::auth::AuthRule::Bearer("t0ken".into()))
    );
    assert_eq!(args.clipboard, crate::copy::ClipboardMode::Osc52);
    let from_file = effective
        .iter()
        .filter(|e| matches!(e.source, Source::File { .. }))
        .count();
    // All but in-memory.
    assert_eq!(from_file, SETTINGS.len() - 1);
}

#[test]
fn db_and_in_memory_from_different_places_let_the_higher_win() {
    let case = Case::new("in-memory = true\n");
    let (args, effective) = case.run(&["--db", "/tmp/x.sqlite3"]).unwrap();
    assert!(!args.in_memory);
    assert_eq!(source(&effective, "in-memory"), Source::Flag("--db".into()));
    let case = Case::new("db = \"/tmp/x.sqlite3\"\n");
    let (args, _) = case.run(&["--in-memory"]).unwrap();
    assert!(args.in_memory && args.db.is_none());
    let both = Case::new("db = \"/tmp/x.sqlite3\"\nin-memory = true\n");
    let error = both.run(&[]).unwrap_err();
    assert!(error.problems[0].contains("cannot both be set"), "{error}");
}

#[test]
fn forward_reply_needs_a_target_from_anywhere() {
    let case = Case::new("forward-to = \"http://localhost:3001\"\n");
    assert!(case.run(&["--forward-reply"]).unwrap().0.forward_reply);
    let case = Case::new("forward-reply = true\n");
    let error = case.run(&[]).unwrap_err();
    assert!(
        error.problems[0].contains("needs at least one `forward-to`"),
        "{error}"
    );
}

#[test]
fn bad_environment_values_name_the_variable() {
    let case = Case::new("").env("HOOKSCOPE_KEEP", "lots");
    let error = case.run(&[]).unwrap_err();
    assert_eq!(
        error.problems,
        ["HOOKSCOPE_KEEP: \"lots\" is not a whole number, e.g. 100000"]
    );
    assert!(!error.in_file);
}

#[test]
fn head_limits_out_of_range_are_refused_wherever_they_come_from() {
    let error = Case::new("")
        .env("HOOKSCOPE_MAX_HEADERS", "0")
        .run(&[])
        .unwrap_err();
    assert_eq!(
        error.problems,
        ["HOOKSCOPE_MAX_HEADERS: 0 is not a whole number from 1 to 10000, e.g. 100"]
    );
    let error = Case::new("max-header-bytes = 100\n").run(&[]).unwrap_err();
    assert!(
        error.problems[0].contains("\"100\" is not a head size from 1KiB to 64MiB"),
        "{error:?}"
    );
    let (args, effective) = Case::new("max-header-bytes = \"1MiB\"\n")
        .env("HOOKSCOPE_MAX_HEADERS", "20")
        .run(&[])
        .unwrap();
    assert_eq!((args.max_headers, args.max_header_bytes), (20, 1 << 20));
    assert_eq!(
        source(&effective, "max-headers"),
        Source::Env("HOOKSCOPE_MAX_HEADERS".into())
    );
}

#[test]
fn a_bad_file_names_itself_the_line_and_the_key() {
    let case = Case::new("keep = 1\nthme = \"dark\"\n");
    let error = case.run(&[]).unwrap_err();
    let path = case.path().display().to_string();
    assert_eq!(
        error.problems,
        [format!(
            "{path}:2:1: unknown key `thme`; did you mean `theme`?"
        )]
    );
    assert!(
        error
            .to_string()
            .ends_with("or run with --no-config to ignore it")
    );
    // --no-config is the way out.
    assert_eq!(case.run(&["--no-config"]).unwrap().0.keep, 100_000);
}

#[test]
fn a_missing_file_is_fine_unless_it_was_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.toml");
    let args = ConfigFileArgs {
        config: Some(missing.clone()),
        no_config: false,
    };
    let error = Config::load_with(&args, &|_| None).unwrap_err();
    assert!(
        error.problems[0].contains("(given by --config) does not exist"),
        "{error}"
    );
    let by_env = Config::load_with(&ConfigFileArgs::default(), &|name| {
        (name == CONFIG_VAR).then(|| missing.display().to_string())
    })
    .unwrap_err();
    assert!(
        by_env.problems[0].contains("given by HOOKSCOPE_CONFIG"),
        "{by_env}"
    );
}

#[test]
fn store_commands_take_the_configured_db() {
    let case = Case::new("db = \"/tmp/from-file.sqlite3\"\n");
    let config =
        Config::load_with(&ConfigFileArgs::default(), &|n| case.env.get(n).cloned()).unwrap();
    assert_eq!(
        config.store(),
        Some(PathBuf::from("/tmp/from-file.sqlite3"))
    );
    let case = case.env("HOOKSCOPE_DB", "/tmp/from-env.sqlite3");
    let config =
        Config::load_with(&ConfigFileArgs::default(), &|n| case.env.get(n).cloned()).unwrap();
    assert_eq!(config.store(), Some(PathBuf::from("/tmp/from-env.sqlite3")));
}
