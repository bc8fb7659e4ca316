//! `hookscope completions SHELL` and `hookscope man`: generated from the same clap
//! definitions as the parser, so they cannot disagree with it.

use std::io::Write;
use std::path::Path;

use clap::CommandFactory;

use super::{CommandError, exit, ignore_broken_pipe};
use crate::cli::{Cli, CompletionsArgs, ManArgs};
use crate::config::{CONFIG_VAR, SETTINGS};

pub fn completions(args: CompletionsArgs) -> Result<(), CommandError> {
    let script = completion_script(args.shell);
    ignore_broken_pipe(std::io::stdout().lock().write_all(&script))
}

/// The completion script for `shell`.
pub fn completion_script(shell: clap_complete::Shell) -> Vec<u8> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "hookscope", &mut script);
    script
}

pub fn man(args: ManArgs) -> Result<(), CommandError> {
    let page = man_page().map_err(|e| cannot("render the manual page", &e))?;
    match args.dir {
        None => ignore_broken_pipe(std::io::stdout().lock().write_all(&page)),
        Some(dir) => write_pages(&dir, &page),
    }
}

/// hookscope.1 (the whole manual) and one page per command, in `dir`.
fn write_pages(dir: &Path, page: &[u8]) -> Result<(), CommandError> {
    std::fs::create_dir_all(dir).map_err(|e| cannot(&format!("create {}", dir.display()), &e))?;
    clap_mangen::generate_to(Cli::command(), dir)
        .map_err(|e| cannot(&format!("write the pages in {}", dir.display()), &e))?;
    // The generated hookscope.1 lacks the files, environment and per-command sections.
    let main = dir.join("hookscope.1");
    std::fs::write(&main, page).map_err(|e| cannot(&format!("write {}", main.display()), &e))?;
    eprintln!("hookscope: manual pages written to {}", dir.display());
    Ok(())
}

fn cannot(what: &str, error: &std::io::Error) -> CommandError {
    CommandError::new(exit::FAILURE, format!("cannot {what}: {error}"))
}

/// The manual page: clap_mangen's sections for hookscope, then FILES and ENVIRONMENT, then
/// a section for each command with its synopsis, description and options.
pub fn man_page() -> std::io::Result<Vec<u8>> {
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    let man = clap_mangen::Man::new(command.clone());
    let mut page = Vec::new();
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    man.render_options_section(&mut page)?;
    man.render_subcommands_section(&mut page)?;
    man.render_extra_section(&mut page)?;
    page.extend_from_slice(files_and_environment().as_bytes());
    page.extend_from_slice(b".SH COMMANDS\n");
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        page.extend_from_slice(command_section(sub)?.as_bytes());
    }
    man.render_version_section(&mut page)?;
    Ok(title_first(&String::from_utf8_lossy(&page)).into_bytes())
}

/// Every rendered piece opens with the two lines that define the `Aq` string; one copy
/// after `.TH` is enough, and the page then starts with `.TH` as man pages do.
fn title_first(page: &str) -> String {
    let preamble = [".ie \\n(.g .ds Aq \\(aq", ".el .ds Aq '"];
    let mut out = String::with_capacity(page.len());
    for line in page.lines().filter(|line| !preamble.contains(line)) {
        out.push_str(line);
        out.push('\n');
        if line.starts_with(".TH ") {
            for definition in preamble {
                out.push_str(definition);
                out.push('\n');
            }
        }
    }
    out
}

/// One command as a subsection: its own page's sections, with their headings made into
/// bold paragraph titles (a man page has only two levels of heading).
fn command_section(sub: &clap::Command) -> std::io::Result<String> {
    let name = sub.get_bin_name().unwrap_or_else(|| sub.get_name());
    let man = clap_mangen::Man::new(sub.clone());
    let mut roff = Vec::new();
    man.render_synopsis_section(&mut roff)?;
    man.render_description_section(&mut roff)?;
    if sub.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut roff)?;
    }
    if sub.has_subcommands() {
        man.render_subcommands_section(&mut roff)?;
    }
    if sub.get_after_help().is_some() || sub.get_after_long_help().is_some() {
        man.render_extra_section(&mut roff)?;
    }
    let mut section = format!(".SS \"{}\"\n", escape(name));
    for line in String::from_utf8_lossy(&roff).lines() {
        match line.strip_prefix(".SH ") {
            Some("SYNOPSIS") | Some("DESCRIPTION") => section.push_str(".PP\n"),
            Some(heading) => {
                let heading = heading.trim_matches('"').to_lowercase();
                let heading = if heading == "extra" {
                    "notes"
                } else {
                    &heading
                };
                section.push_str(&format!(".PP\n\\fB{}:\\fR\n", capitalised(heading)));
            }
            None => {
                section.push_str(line);
                section.push('\n');
            }
        }
    }
    Ok(section)
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

fn files_and_environment() -> String {
    let mut roff = String::from(".SH FILES\n");
    let files = [
        (
            "$XDG_CONFIG_HOME/hookscope/config.toml",
            "Defaults for the listen options, one key per option named like its flag \
             (listen = \"0.0.0.0:8080\", keep = 5000, theme = \"light\"). `hookscope config` \
             shows what applies and where it comes from; `hookscope config path` where the \
             file is looked for.",
        ),
        (
            "$XDG_CONFIG_HOME/hookscope/keymap.toml",
            "Key bindings for the interface.",
        ),
        (
            "$XDG_DATA_HOME/hookscope/captures.sqlite3",
            "The store, when --db is not given.",
        ),
    ];
    for (path, text) in files {
        roff.push_str(&format!(
            ".TP\n\\fI{}\\fR\n{}\n",
            escape(path),
            escape(text)
        ));
    }
    roff.push_str(".SH ENVIRONMENT\n");
    roff.push_str(&escape_paragraph(
        "A flag on the command line beats its variable, which beats the config file. An empty \
         variable counts as unset.",
    ));
    roff.push_str(&format!(
        ".TP\n\\fB{CONFIG_VAR}\\fR\n{}\n",
        escape("Read this config file instead (like --config FILE); it must exist.")
    ));
    for setting in SETTINGS {
        let list = if matches!(setting.name, "response-header" | "forward-to") {
            "; one per line for several"
        } else {
            ""
        };
        let text = format!(
            "The default for --{}: {}{list}.",
            setting.name, setting.expects
        );
        roff.push_str(&format!(
            ".TP\n\\fB{}\\fR\n{}\n",
            escape(&setting.env_var()),
            escape(&text)
        ));
    }
    roff.push_str(".TP\n\\fBNO_COLOR\\fR\nTurns colours off in the interface.\n");
    roff
}

fn escape_paragraph(text: &str) -> String {
    format!(".PP\n{}\n", escape(text))
}

/// Text safe in a roff line: backslashes and hyphens escaped, no leading control dot.
fn escape(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with('.') || escaped.starts_with('\'') {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roff_escapes_what_would_be_markup() {
        assert_eq!(escape("--db C:\\x"), "\\-\\-db C:\\ex");
        assert_eq!(escape(".hidden"), "\\&.hidden");
    }

    #[test]
    fn the_page_has_a_section_for_every_command() {
        let page = String::from_utf8(man_page().unwrap()).unwrap();
        assert!(page.starts_with(".TH"), "{}", &page[..80]);
        for sub in Cli::command().get_subcommands() {
            let heading = format!(".SS \"hookscope {}\"", sub.get_name());
            assert!(page.contains(&heading), "no {heading}");
        }
        assert!(page.contains("HOOKSCOPE_MAX_BODY"));
        assert!(page.contains(".SH FILES"));
    }
}
