//! The command line. `hookscope` alone means `hookscope listen`, with the same options.

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::time::Duration;

use clap::error::ErrorKind;
use clap::parser::ValueSource;
use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use http::{HeaderName, HeaderValue};

use crate::capture::CaptureId;
use crate::copy::ClipboardMode;
use crate::filter::Filter;
use crate::replay::Target;
pub use crate::replay::bulk::Pace;
use crate::replay::forward::ForwardRoute;
pub use crate::tui::theme::ThemeChoice;
use crate::units::parse_size;
use crate::vendor::Vendor;

pub use crate::session::DEFAULT_LISTEN;

#[derive(Debug, Parser)]
#[command(
    name = "hookscope",
    version,
    about = "A terminal webhook inspector: capture every webhook sent to it, keep it, show it.",
    long_about = "A terminal webhook inspector. Point a webhook at hookscope and every request \
        is captured (any method, any path, headers in wire order, the body byte for byte) and \
        kept in a local SQLite store, so nothing is lost across restarts. Webhooks from \
        bitdrift, Octopus Deploy, BugSplat and Firefly are recognised, decoded and checked \
        against the vendor's documented schema.\n\n\
        Run without a subcommand, hookscope listens (the same as `hookscope listen`).",
    after_help = "Examples:\n  \
        hookscope                                  listen on 127.0.0.1:9876\n  \
        hookscope --listen 0.0.0.0:8080 --headless  listen on every interface, JSON lines on stdout\n  \
        curl -d '{\"hello\":1}' localhost:9876/hook   send something to it\n  \
        hookscope list                             what has been captured\n  \
        hookscope show 1 --body | jq .             one capture's body, exactly\n\n\
        Every listen option can be given a default in the config file (`hookscope config path` \
        says where it is looked for) or in a HOOKSCOPE_* environment variable; a flag beats \
        the environment, which beats the file. `hookscope config` shows what applies and why."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub listen: ListenArgs,

    #[command(flatten)]
    pub config: ConfigFileArgs,
}

/// Which config file to read, for every command.
#[derive(Debug, Clone, Default, Args)]
pub struct ConfigFileArgs {
    /// Read the settings from this file instead of hookscope's config.toml (also
    /// HOOKSCOPE_CONFIG). It must exist.
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,

    /// Read no config file: only flags, HOOKSCOPE_* variables and defaults apply.
    #[arg(long, global = true, conflicts_with = "config")]
    pub no_config: bool,
}

impl Cli {
    /// Parses a command line, keeping the matches beside the arguments: they tell which
    /// options were given on the command line, so the config file and HOOKSCOPE_* variables
    /// fill only the rest. Listen options before a subcommand are refused, as with clap's
    /// `args_conflicts_with_subcommands` (which would refuse `--config` there too).
    pub fn try_parse_with_matches<I, T>(line: I) -> Result<(Self, ArgMatches), clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let mut command = Self::command();
        let matches = command.try_get_matches_from_mut(line)?;
        if let Some(message) = options_before_subcommand(&command, &matches) {
            return Err(command.error(ErrorKind::ArgumentConflict, message));
        }
        let cli = Self::from_arg_matches(&matches).map_err(|e| e.format(&mut command))?;
        Ok((cli, matches))
    }

    /// The subcommand to run; no subcommand means `listen` with the top-level options.
    pub fn into_command(self) -> Command {
        self.command.unwrap_or(Command::Listen(self.listen))
    }
}

/// `hookscope --keep 5 list`, `hookscope config --keep 5 path`: an option of a command that
/// is not the one run would be silently ignored, so it is refused (global options aside).
fn options_before_subcommand(command: &clap::Command, matches: &ArgMatches) -> Option<String> {
    let (name, sub_matches) = matches.subcommand()?;
    let given = command
        .get_arguments()
        .filter(|arg| !arg.is_global_set())
        .find(|arg| matches.value_source(arg.get_id().as_str()) == Some(ValueSource::CommandLine));
    if let Some(arg) = given {
        let flag = arg.get_long().unwrap_or_else(|| arg.get_id().as_str());
        return Some(format!(
            "the subcommand '{name}' cannot be used with '--{flag}' (give options after the \
             subcommand they belong to)"
        ));
    }
    options_before_subcommand(command.find_subcommand(name)?, sub_matches)
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Capture webhooks (the default when no subcommand is given).
    Listen(ListenArgs),
    /// List captures, oldest first.
    List(ListArgs),
    /// Show one capture.
    Show(ShowArgs),
    /// Write captures to a HAR or JSONL file.
    Export(ExportArgs),
    /// Add captures from a HAR or JSONL file (from hookscope or other tools).
    Import(ImportArgs),
    /// Delete every capture in the store (asks first; --yes for scripts).
    Clear(ClearArgs),
    /// Check payload files against their vendor's documented schema (for CI fixtures).
    Validate(ValidateArgs),
    /// Post a sample vendor payload to hookscope or to your own endpoint.
    Send(SendArgs),
    /// Send captures again, exactly as they arrived, to a URL (your app, a staging server).
    Replay(ReplayArgs),
    /// Compare two captures: request line, headers, and bodies by structure.
    Diff(DiffArgs),
    /// List the vendors hookscope recognises (built-in and yours) and where each came from;
    /// `vendors check` finds the problems in your definitions, `vendors init` starts one.
    Vendors(VendorsArgs),
    /// Show the settings listen would use and where each comes from (file, environment,
    /// flag, default); `config path` prints where the config file is looked for.
    Config(ConfigArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(CompletionsArgs),
    /// Print hookscope's manual page (roff), or write one page per command with --dir.
    Man(ManArgs),
}

#[derive(Debug, Clone, Args)]
pub struct ListenArgs {
    /// Address to listen on: HOST:PORT, or just PORT for 127.0.0.1. Only this machine can
    /// reach the default; give 0.0.0.0:PORT to accept webhooks from elsewhere.
    #[arg(long, value_name = "ADDR", default_value = DEFAULT_LISTEN, value_parser = parse_listen_addr)]
    pub listen: SocketAddr,

    /// Credentials every sender must present: basic:USER:PASSWORD, bearer:TOKEN or
    /// header:NAME:VALUE. A request without them is answered 401 (with WWW-Authenticate for
    /// basic and bearer), still captured, marked as unauthenticated, and not forwarded.
    #[arg(long, value_name = "SPEC", value_parser = parse_auth_rule)]
    pub require_auth: Option<crate::auth::AuthRule>,

    /// The SQLite file to store captures in [default: hookscope's file in your data folder].
    #[arg(long, value_name = "PATH", conflicts_with = "in_memory")]
    pub db: Option<PathBuf>,

    /// Keep captures for this session only: nothing is written to your data folder (the
    /// store lives in a temporary file that is removed on exit).
    #[arg(long)]
    pub in_memory: bool,

    /// Also keep acknowledged captures through a power cut or an OS crash: fsync every
    /// commit. Without it they already survive hookscope being killed at any moment; this
    /// costs throughput (see the README).
    #[arg(long, conflicts_with = "in_memory")]
    pub fsync: bool,

    /// Keep at most this many captures; the oldest are deleted first.
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    pub keep: u64,

    /// The largest request body accepted (e.g. 512KiB, 32MiB); a larger one is answered
    /// with 413 and not captured.
    #[arg(long, value_name = "SIZE", default_value = "32MiB", value_parser = parse_size)]
    pub max_body: u64,

    /// The most headers a request may have; one with more is answered with 431 and not
    /// captured.
    #[arg(long, value_name = "N", default_value_t = 100,
          value_parser = clap::value_parser!(u32).range(1..=MOST_HEADERS))]
    pub max_headers: u32,

    /// The largest request head (request line and headers) accepted (e.g. 64KiB, 1MiB); a
    /// larger one is answered with 431 and not captured.
    #[arg(long, value_name = "SIZE", default_value = "408KiB", value_parser = parse_header_bytes)]
    pub max_header_bytes: u64,

    /// Status code to answer every captured request with.
    #[arg(long, value_name = "CODE", default_value_t = 200,
          value_parser = clap::value_parser!(u16).range(200..=599))]
    pub status: u16,

    /// Response body instead of the default {"ok":true,"id":N}; `{id}` in it is replaced
    /// with the capture id.
    #[arg(long, value_name = "TEXT")]
    pub response_body: Option<String>,

    /// Add a header to every response, as 'Name: value'. Repeat for more.
    #[arg(long = "response-header", value_name = "'NAME: VALUE'", value_parser = parse_header)]
    pub response_headers: Vec<ResponseHeader>,

    /// Wait this many milliseconds before answering (after the capture is stored), to see
    /// how the sender copes with a slow receiver.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub delay: u64,

    /// No interface: print one JSON line per capture on stdout and status lines on stderr.
    /// hookscope also runs this way when stdin or stdout is not a terminal.
    #[arg(long)]
    pub headless: bool,

    /// Interface colours for a dark or light terminal background; `auto` reads COLORFGBG
    /// where the terminal sets it, else dark. NO_COLOR turns colours off.
    #[arg(long, value_enum, value_name = "THEME", default_value_t = ThemeChoice::Auto)]
    pub theme: ThemeChoice,

    /// Forward every captured webhook, exactly as it arrived, to your app: 'URL', or
    /// 'URL FILTER' to forward only what the filter matches (the `/` filter language, e.g.
    /// 'http://localhost:3001 vendor:octopus'). Repeat to send different vendors or kinds to
    /// different apps; a webhook goes to every target whose filter matches. A URL with a
    /// path is the endpoint itself; one without gets the original path and query.
    #[arg(long = "forward-to", value_name = "'URL [FILTER]'", value_parser = parse_forward)]
    pub forward_to: Vec<ForwardRoute>,

    /// How long to wait for your app to answer a forwarded webhook (e.g. 500ms, 10s, 1m).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub forward_timeout: Duration,

    /// Answer the original sender with your app's response (status, headers, body), as a
    /// reverse proxy would: the first matching --forward-to target's. The capture is still
    /// stored first; when the app fails, the sender gets 502 with a body saying why.
    #[arg(long)]
    pub forward_reply: bool,

    /// Forwards and the interface's replays accept any TLS certificate from an https
    /// target (a local app with a self-signed one), like curl's --insecure.
    #[arg(long)]
    pub insecure: bool,

    /// Forwards and the interface's replays of a vendor whose signing secret is configured
    /// go out with a fresh timestamp and signature, so an app that enforces a tolerance
    /// accepts them (an edited replay is signed after editing). Others go as captured.
    #[arg(long)]
    pub resign: bool,

    /// Show credentials, cookies, tokens, keys and signatures as received, in the interface
    /// and the headless lines. Without it they are masked (`S` in the interface shows them
    /// until you quit); what is stored, replayed and forwarded is always what arrived.
    #[arg(long)]
    pub show_secrets: bool,

    /// Where the interface copies to: the system clipboard, the terminal's own clipboard
    /// through OSC 52 (works over SSH and in tmux), `auto` (the first, else the second), or
    /// `off`.
    #[arg(long, value_enum, value_name = "WHERE", default_value_t = ClipboardMode::Auto)]
    pub clipboard: ClipboardMode,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Settings come from, highest first: the command line, HOOKSCOPE_* environment \
    variables (HOOKSCOPE_LISTEN, HOOKSCOPE_MAX_BODY, ...: the flag's name in capitals, - as _), \
    the config file, hookscope's defaults. Give listen options here to see what `hookscope` \
    with those options would use.\n\n\
    With --json: one object, {\"config_file\": {\"path\", \"exists\", \"used\"}, \"settings\": \
    [{\"name\", \"value\", \"source\"}]}, where source is default, file (with \"file\" and \
    \"line\"), env (with \"env\") or flag (with \"flag\").\n\n\
    Exit status: 0, or 2 when the config file or a HOOKSCOPE_* variable cannot be used."
)]
pub struct ConfigArgs {
    #[command(subcommand)]
    pub action: Option<ConfigAction>,

    /// The settings as one JSON object, for scripts.
    #[arg(long)]
    pub json: bool,

    #[command(flatten, next_help_heading = "Listen options")]
    pub listen: ListenArgs,
}

#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Print where the config file is looked for (whether or not it exists).
    Path,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Your vendors are TOML files (with an optional JSON Schema beside them) in \
    the vendors folder of hookscope's config folder ($XDG_CONFIG_HOME/hookscope/vendors/ on \
    Linux); the README describes every key.\n\n\
    Examples:\n  \
    hookscope vendors                  list them, with the checks each makes\n  \
    hookscope vendors init github      start from the shipped GitHub definition\n  \
    hookscope vendors check            say what is wrong in each definition, file and line\n\n\
    Exit status: 0; 1 when `check` finds a problem; 2 for a usage error."
)]
pub struct VendorsArgs {
    #[command(subcommand)]
    pub action: Option<VendorsAction>,

    /// One JSON object per vendor, for scripts: id, name, source, built_in, schema,
    /// signature.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum VendorsAction {
    /// Load every definition and report each problem with its file, line and what to
    /// change; exit 1 if there is any.
    Check {
        /// Check the definitions in this folder instead of yours.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Copy a shipped example definition (and its schema) into your vendors folder.
    Init {
        /// The example: github or stripe.
        #[arg(value_name = "EXAMPLE", value_parser = ["github", "stripe"])]
        name: String,
        /// Write into this folder instead of yours.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Replace files that are already there.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Args)]
#[command(after_help = "Install, for example:\n  \
    hookscope completions bash > ~/.local/share/bash-completion/completions/hookscope\n  \
    hookscope completions zsh > ~/.zfunc/_hookscope   (with fpath+=(~/.zfunc) before compinit)\n  \
    hookscope completions fish > ~/.config/fish/completions/hookscope.fish\n  \
    hookscope completions powershell >> $PROFILE\n  \
    hookscope completions elvish >> ~/.config/elvish/rc.elv")]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
#[command(after_help = "Install, for example:\n  \
    hookscope man > ~/.local/share/man/man1/hookscope.1      one page with every command\n  \
    hookscope man --dir ~/.local/share/man/man1              also hookscope-listen.1 and the rest")]
pub struct ManArgs {
    /// Write hookscope.1 and one page per command (hookscope-listen.1, ...) into this folder
    /// instead of printing the single page.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// `--db` for commands that work on an existing store.
#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    /// The SQLite file to use [default: `db` from HOOKSCOPE_DB or the config file, as listen
    /// uses it; else hookscope's file in your data folder].
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub store: StoreArgs,

    /// One JSON object per line (the same fields as `listen --headless`).
    #[arg(long)]
    pub json: bool,

    /// Show only the newest N captures; 0 shows every capture. When some are left out, a
    /// line on stderr says how many the store holds.
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub limit: usize,

    /// Show secret query parameters (tokens, keys, signatures) as received, not masked.
    #[arg(long)]
    pub show_secrets: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "On a terminal, clear asks before deleting; answer y to go ahead. \
    When stdin is not a terminal (a script, a pipe) nobody can answer, so --yes is required.\n\n\
    Exit status: 0 when the captures were deleted, 1 when the answer was no or the store \
    cannot be changed, 2 when stdin is not a terminal and --yes is missing."
)]
pub struct ClearArgs {
    #[command(flatten)]
    pub store: StoreArgs,

    /// Delete without asking (for scripts).
    #[arg(short, long)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The capture id, as shown by `list`.
    pub id: CaptureId,

    #[command(flatten)]
    pub store: StoreArgs,

    /// The request as it came on the wire: request line, headers, body.
    #[arg(long, conflicts_with = "body")]
    pub raw: bool,

    /// Only the body, byte for byte (still compressed if it was sent compressed).
    #[arg(long)]
    pub body: bool,

    /// A `curl` command that sends the request again exactly (method, every header in wire
    /// order, the body byte for byte), aimed at where it was first sent or at --to.
    #[arg(long, conflicts_with_all = ["raw", "body"])]
    pub curl: bool,

    /// With --curl: send it here instead. A URL with a path is the endpoint itself; one
    /// without gets the original path and query.
    #[arg(long, value_name = "URL", requires = "curl", value_parser = parse_target)]
    pub to: Option<Target>,

    /// Show credentials, cookies, tokens, keys and signatures as received. Without it they
    /// are masked, except in --raw, --body and --curl output that is piped or redirected
    /// (the exact request, for a script).
    #[arg(long)]
    pub show_secrets: bool,
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    hookscope replay 12 --to http://localhost:3000           one capture, to your app\n  \
    hookscope replay 3 4 5 --to http://localhost:3000/hooks  to that endpoint\n  \
    hookscope replay --filter 'vendor:octopus' --to localhost:3000 --pace original\n\n\
    Each request goes out exactly as it arrived: the same method, the same headers in wire \
    order with their original case and duplicates, the same body bytes. Only hop-by-hop \
    headers are dropped, Host is set for the target and Content-Length to the body's length. \
    Every replay is recorded with the capture, with the response.\n\n\
    Exit status: 0 when every replay got a response (whatever its status), 1 when any \
    failed (refused, timed out, not found in the store), 2 for a usage error.")]
pub struct ReplayArgs {
    /// Capture ids, as shown by `list`. Without ids, --filter chooses the captures.
    #[arg(value_name = "ID")]
    pub ids: Vec<CaptureId>,

    /// Where to send: any http:// or https:// URL. A URL with a path is the endpoint itself
    /// (the original query is added); one without gets the original path and query.
    #[arg(long, value_name = "URL", value_parser = parse_target)]
    pub to: Target,

    #[command(flatten)]
    pub store: StoreArgs,

    /// Replay every capture this filter matches (the interface's `/` filter language), in
    /// capture order; with ids, only those of them that match.
    #[arg(long, value_name = "EXPR", value_parser = parse_filter)]
    pub filter: Option<Filter>,

    /// `fast`: as fast as the target takes them; `original`: keep the original gaps.
    #[arg(long, value_enum, default_value_t = Pace::Fast)]
    pub pace: Pace,

    /// With --pace original: play the gaps this many times faster (2 halves them).
    #[arg(long, value_name = "FACTOR", default_value_t = 1.0, value_parser = parse_speed)]
    pub speed: f64,

    /// With --pace fast: how many requests may be in flight at once.
    #[arg(long, value_name = "N", default_value_t = 4,
          value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,

    /// How long to wait for each response (e.g. 500ms, 10s, 1m).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub timeout: Duration,

    /// Accept any TLS certificate from an https target (a local app with a self-signed
    /// one), like curl's --insecure.
    #[arg(long)]
    pub insecure: bool,

    /// Sign captures of a vendor whose signing secret is configured afresh (new timestamp
    /// and signature), so an app that enforces a tolerance accepts an old capture. Captures
    /// of vendors without a signature go as captured; one whose secret is missing is not
    /// sent, and the failure says what to set.
    #[arg(long)]
    pub resign: bool,

    /// One JSON object per request: {"id", "attempt", "target", "status", "elapsed_ms",
    /// "response_size", "error"}.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "JSON bodies are compared by structure: key order and whitespace do \
    not matter, arrays are compared by position, and each difference is named by its JSON \
    Pointer. Other text is compared line by line, binary bodies by size and the first \
    differing byte.\n\n\
    Exit status: 0 when the two requests are the same, 1 when they differ, 2 when a capture \
    cannot be found or read."
)]
pub struct DiffArgs {
    /// The first capture's id.
    pub a: CaptureId,
    /// The second capture's id.
    pub b: CaptureId,

    #[command(flatten)]
    pub store: StoreArgs,

    /// The differences as one JSON object, for scripts.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ArchiveFormat {
    /// HTTP Archive 1.2, which browser devtools and HTTP tools import.
    Har,
    /// One hookscope capture per line, as JSON.
    Jsonl,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub store: StoreArgs,

    /// File format [default: from the -o file's extension (.har, .jsonl), else jsonl].
    #[arg(long, value_enum)]
    pub format: Option<ArchiveFormat>,

    /// Write here instead of to stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Write credentials, cookies, tokens, keys and signatures as received. Without it they
    /// are masked: exports get shared, and a session token in a HAR file is a way in.
    #[arg(long)]
    pub keep_secrets: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A HAR or JSONL file; `-` reads stdin. The format is recognised from the content.
    pub file: PathBuf,

    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Exit status: 0 when every file is valid (warnings allowed), 1 when any \
    has an error finding or is not a recognised vendor payload, 2 when a file cannot be read."
)]
pub struct ValidateArgs {
    /// Payload files (JSON bodies); `-` reads stdin.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,

    /// Validate as this vendor's payload instead of recognising the vendor from the
    /// content: bitdrift, octopus, bugsplat, firefly, or the id of one of your vendors
    /// (`hookscope vendors` lists them).
    #[arg(long, value_name = "VENDOR")]
    pub vendor: Option<String>,

    /// One JSON object per file: {"file", "vendor", "kind", "valid", "findings"}.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    hookscope send --list                          every sample, by vendor and kind, with its verdict\n  \
    hookscope send octopus                         a valid Octopus Deploy sample\n  \
    hookscope send bitdrift alert --broken         a deliberately broken bitdrift alert\n  \
    hookscope send firefly --warnings              a Firefly sample that is valid but warned about\n  \
    hookscope send bugsplat --all --broken         every broken BugSplat sample\n  \
    hookscope send firefly Drift --to http://localhost:3000/hooks/firefly\n\n\
    Samples come in three groups, judged by hookscope's own analysis: valid (no findings), \
    warnings (valid, with warnings) and broken (at least one error).\n\n\
    Exit status: 0 when every request was answered with a 2xx status, 1 when one was not or \
    the target cannot be reached, 2 for an unknown kind or name, a kind with no sample in the \
    group asked for (valid, --warnings or --broken), or a --to that is not an http:// or \
    https:// URL.")]
pub struct SendArgs {
    /// The vendor whose sample to send.
    #[arg(value_enum, required_unless_present = "list")]
    pub vendor: Option<Vendor>,

    /// The event kind (e.g. alert, DeploymentSucceeded, NewReport, Drift) or a sample's name
    /// as `--list` shows it [default: the vendor's first sample of the group: valid, or with
    /// warnings (--warnings), or broken (--broken)].
    pub kind: Option<String>,

    /// Send a deliberately broken sample of that kind instead of a valid one: hookscope
    /// judges it invalid, with at least one error (a word that is both a kind and a valid
    /// sample's name, like alert, means the kind).
    #[arg(long, conflicts_with = "warnings")]
    pub broken: bool,

    /// Send a sample that hookscope judges valid but warns about (an undocumented value, a
    /// field the vendor's documentation does not list) instead of a clean one.
    #[arg(long)]
    pub warnings: bool,

    /// Send every valid sample of the vendor (every broken one with --broken, every one with
    /// warnings with --warnings), one after another.
    #[arg(long, conflicts_with = "kind")]
    pub all: bool,

    /// Where to post: any http:// or https:// URL [default: the running hookscope, at the
    /// address listen is configured with (file, HOOKSCOPE_LISTEN) or 127.0.0.1:9876, path
    /// /webhooks/VENDOR].
    #[arg(long, value_name = "URL")]
    pub to: Option<String>,

    /// List the samples (of VENDOR, or of every vendor) with hookscope's verdict on each,
    /// instead of sending one.
    #[arg(long, conflicts_with_all = ["kind", "broken", "all", "to"])]
    pub list: bool,

    /// With --list: one JSON object per sample (vendor, name, file, kind, broken,
    /// description, verdict, errors, warnings) for scripts.
    #[arg(long, requires = "list")]
    pub json: bool,
}

/// `9876`, `:9876`, `127.0.0.1:9876`, `[::1]:9876`, `localhost:9876`.
pub fn parse_listen_addr(text: &str) -> Result<SocketAddr, String> {
    let port_only = text.strip_prefix(':').unwrap_or(text);
    if let Ok(port) = port_only.parse::<u16>() {
        return Ok(SocketAddr::from(([127, 0, 0, 1], port)));
    }
    if let Ok(addr) = text.parse() {
        return Ok(addr);
    }
    text.to_socket_addrs()
        .ok()
        .and_then(|mut addrs| addrs.next())
        .ok_or_else(|| {
            format!("{text:?} is not an address to listen on; write e.g. 127.0.0.1:9876")
        })
}

/// The highest `--max-headers`: hyper keeps a slot per header for every head it parses.
pub const MOST_HEADERS: i64 = 10_000;

/// A `--max-header-bytes` size: from 1KiB (a request line and a few headers) to 64MiB.
pub fn parse_header_bytes(text: &str) -> Result<u64, String> {
    const RANGE: std::ops::RangeInclusive<u64> = (1 << 10)..=(64 << 20);
    let size = parse_size(text)?;
    if RANGE.contains(&size) {
        Ok(size)
    } else {
        Err(format!("{text:?} is not a head size from 1KiB to 64MiB"))
    }
}

/// A `--require-auth` value.
pub fn parse_auth_rule(text: &str) -> Result<crate::auth::AuthRule, String> {
    text.parse()
        .map_err(|e: crate::auth::AuthRuleError| e.to_string())
}

/// A URL to send to (`--to`).
pub fn parse_target(text: &str) -> Result<Target, String> {
    Target::parse(text).map_err(|e| e.to_string())
}

fn parse_filter(text: &str) -> Result<Filter, String> {
    crate::filter::parse(text).map_err(|e| e.to_string())
}

/// `'URL'` or `'URL FILTER'`, as given to `--forward-to`.
pub fn parse_forward(text: &str) -> Result<ForwardRoute, String> {
    let text = text.trim();
    let (url, filter_text) = text
        .split_once(char::is_whitespace)
        .map_or((text, ""), |(url, rest)| (url, rest.trim()));
    let target = parse_target(url)?;
    let filter = parse_filter(filter_text)
        .map_err(|e| format!("the filter after {url} does not parse: {e}"))?;
    Ok(ForwardRoute {
        target,
        filter_text: filter_text.to_owned(),
        filter,
    })
}

fn parse_speed(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(speed) if speed.is_finite() && speed > 0.0 => Ok(speed),
        _ => Err(format!(
            "{text:?} is not a speed factor; write e.g. 1, 2 or 0.5"
        )),
    }
}

/// `500ms`, `10s`, `2m`, or a plain number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let bad = || format!("{text:?} is not a duration; write e.g. 500ms, 10s or 1m");
    let value: f64 = number.parse().map_err(|_| bad())?;
    let seconds = match unit.trim() {
        "ms" => value / 1000.0,
        "" | "s" => value,
        "m" | "min" => value * 60.0,
        _ => return Err(bad()),
    };
    if !seconds.is_finite() || seconds <= 0.0 || seconds > 86_400.0 {
        return Err(bad());
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// `'Name: value'` as given to `--response-header`.
/// One `--response-header`: the name as written goes out with its case kept.
#[derive(Debug, Clone)]
pub struct ResponseHeader {
    pub name: HeaderName,
    pub written: String,
    pub value: HeaderValue,
}

pub fn parse_header(text: &str) -> Result<ResponseHeader, String> {
    let (name, value) = text
        .split_once(':')
        .ok_or_else(|| format!("{text:?} is not a header; write it as 'Name: value'"))?;
    let name = HeaderName::try_from(name.trim())
        .map_err(|_| format!("{:?} is not a valid header name", name.trim()))?;
    let value = HeaderValue::try_from(value.trim())
        .map_err(|_| format!("the value for {name} contains characters a header cannot carry"))?;
    let written = text
        .split_once(':')
        .map_or("", |(n, _)| n)
        .trim()
        .to_owned();
    Ok(ResponseHeader {
        name,
        written,
        value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Command, clap::Error> {
        Cli::try_parse_with_matches(std::iter::once("hookscope").chain(args.iter().copied()))
            .map(|(cli, _)| cli.into_command())
    }

    #[test]
    fn listen_options_before_a_subcommand_are_refused() {
        let error = parse(&["--keep", "5", "list"]).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::ArgumentConflict);
        assert!(
            error
                .to_string()
                .contains("'list' cannot be used with '--keep'"),
            "{error}"
        );
        assert!(parse(&["--headless", "listen"]).is_err());
        assert!(parse(&["config", "--keep", "5", "path"]).is_err());
        assert!(parse(&["config", "--keep", "5"]).is_ok());
    }

    #[test]
    fn the_config_file_flags_go_before_or_after_the_subcommand() {
        for line in [
            &["--config", "x.toml", "list"][..],
            &["list", "--config", "x.toml"],
        ] {
            let (cli, _) = Cli::try_parse_with_matches(
                std::iter::once("hookscope").chain(line.iter().copied()),
            )
            .unwrap();
            assert_eq!(cli.config.config, Some(PathBuf::from("x.toml")));
        }
        assert!(parse(&["--no-config", "--config", "x.toml"]).is_err());
    }

    #[test]
    fn bare_hookscope_is_listen_with_the_same_options() {
        let Ok(Command::Listen(bare)) = parse(&["--listen", "9000", "--status", "202"]) else {
            panic!("expected listen");
        };
        let Ok(Command::Listen(explicit)) =
            parse(&["listen", "--listen", "9000", "--status", "202"])
        else {
            panic!("expected listen");
        };
        assert_eq!(bare.listen, explicit.listen);
        assert_eq!(bare.listen.to_string(), "127.0.0.1:9000");
        assert_eq!((bare.status, explicit.status), (202, 202));
    }

    /// Every listen option is accepted without the subcommand too, so a new option cannot
    /// be added to one and forgotten on the other.
    #[test]
    fn top_level_and_listen_take_the_same_options() {
        use clap::CommandFactory;
        let top = Cli::command();
        let listen = top.find_subcommand("listen").unwrap().clone();
        let names = |command: &clap::Command| -> Vec<String> {
            let mut names: Vec<String> = command
                .get_arguments()
                .filter(|a| !a.is_global_set())
                .filter_map(|a| a.get_long().map(str::to_owned))
                .filter(|long| long != "help" && long != "version")
                .collect();
            names.sort();
            names
        };
        assert_eq!(names(&top), names(&listen));
        assert!(names(&top).contains(&"fsync".to_owned()));
    }

    #[test]
    fn defaults_bind_loopback() {
        let Ok(Command::Listen(args)) = parse(&[]) else {
            panic!("expected listen");
        };
        assert_eq!(args.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(args.max_body, 32 << 20);
        assert_eq!(args.keep, 100_000);
        // hyper's own limits, which applied before they were options.
        assert_eq!(
            args.max_headers as usize,
            crate::listener::DEFAULT_MAX_HEADERS
        );
        assert_eq!(
            args.max_header_bytes as usize,
            crate::listener::DEFAULT_MAX_HEADER_BYTES
        );
    }

    #[test]
    fn head_limits_are_listen_options_with_and_without_the_subcommand() {
        for line in [
            &["--max-headers", "150", "--max-header-bytes", "64KiB"][..],
            &[
                "listen",
                "--max-headers",
                "150",
                "--max-header-bytes",
                "64KiB",
            ],
        ] {
            let Ok(Command::Listen(args)) = parse(line) else {
                panic!("expected listen from {line:?}");
            };
            assert_eq!((args.max_headers, args.max_header_bytes), (150, 64 << 10));
        }
        assert!(parse(&["--max-headers", "0"]).is_err());
        assert!(parse(&["--max-headers", "10001"]).is_err());
        assert!(parse(&["--max-header-bytes", "100"]).is_err());
        assert!(parse(&["--max-header-bytes", "1GiB"]).is_err());
        let help = Cli::command().render_long_help().to_string();
        assert!(help.contains("--max-headers <N>"), "{help}");
        assert!(help.contains("--max-header-bytes <SIZE>"), "{help}");
    }

    #[test]
    fn rejects_bad_values_with_a_message() {
        assert!(parse(&["--status", "99"]).is_err());
        assert!(parse(&["--max-body", "lots"]).is_err());
        assert!(parse(&["--response-header", "no colon"]).is_err());
        assert!(parse(&["--db", "a", "--in-memory"]).is_err());
        assert!(parse(&["show", "1", "--raw", "--body"]).is_err());
    }

    #[test]
    fn parses_listen_addresses() {
        assert_eq!(
            parse_listen_addr(":8080").unwrap().to_string(),
            "127.0.0.1:8080"
        );
        assert_eq!(
            parse_listen_addr("[::1]:8080").unwrap().to_string(),
            "[::1]:8080"
        );
        assert_eq!(
            parse_listen_addr("0.0.0.0:1").unwrap().to_string(),
            "0.0.0.0:1"
        );
        assert!(parse_listen_addr("nowhere").is_err());
    }

    #[test]
    fn parses_response_headers() {
        let header = parse_header("X-Test:  yes ").unwrap();
        assert_eq!(
            (header.name.as_str(), header.written.as_str()),
            ("x-test", "X-Test")
        );
        assert_eq!(header.value.to_str().unwrap(), "yes");
    }
}
