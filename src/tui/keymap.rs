//! Which key does what: the defaults, and `keymap.toml` in the config folder to change them.
//!
//! The file lists actions with their keys; an action listed there gets exactly those keys
//! instead of its defaults, every other action keeps its own:
//!
//! ```toml
//! down = ["j", "down", "ctrl-n"]
//! quit = ["q", "ctrl-q"]
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use toml::Spanned;

use super::action::Action;

/// `j, down` or `no key`.
fn describe_keys(keys: &[Key]) -> String {
    if keys.is_empty() {
        return "no key".to_owned();
    }
    let names: Vec<String> = keys.iter().map(Key::to_string).collect();
    format!("its default {}", names.join(", "))
}

/// A key with its modifiers, normalised so that `G` and `shift-g` are the same key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

impl Key {
    pub fn new(code: KeyCode, modifiers: KeyModifiers) -> Self {
        let mut modifiers =
            modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match code {
            // A typed character already carries its shift (`G`, `?`).
            KeyCode::Char(c) => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::Char(c)
            }
            KeyCode::BackTab => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            other => other,
        };
        Self { code, modifiers }
    }

    pub fn plain(code: KeyCode) -> Self {
        Self::new(code, KeyModifiers::NONE)
    }

    pub fn char(c: char) -> Self {
        Self::plain(KeyCode::Char(c))
    }

    pub fn ctrl(c: char) -> Self {
        Self::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    /// The key of a terminal key event; releases and repeats of a release are not keys.
    pub fn from_event(event: &KeyEvent) -> Option<Self> {
        (event.kind != KeyEventKind::Release).then(|| Self::new(event.code, event.modifiers))
    }

    /// `j`, `G`, `ctrl-d`, `shift-tab`, `enter`, `pageup`, `f5`, `space`...
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut modifiers = KeyModifiers::NONE;
        let mut rest = text;
        loop {
            let lower = rest.to_ascii_lowercase();
            let stripped = ["ctrl-", "alt-", "shift-"]
                .into_iter()
                .find(|prefix| lower.starts_with(prefix) && rest.len() > prefix.len());
            match stripped {
                Some(prefix) => {
                    modifiers |= match prefix {
                        "ctrl-" => KeyModifiers::CONTROL,
                        "alt-" => KeyModifiers::ALT,
                        _ => KeyModifiers::SHIFT,
                    };
                    rest = &rest[prefix.len()..];
                }
                None => break,
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            // The arrows are printed as glyphs (in the help and the README): they name keys.
            (Some(c), None) if let Some(arrow) = arrow_key(c) => arrow,
            (Some(c), None) => {
                if modifiers.contains(KeyModifiers::SHIFT) && c.is_ascii_alphabetic() {
                    KeyCode::Char(c.to_ascii_uppercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            _ => named_key(&rest.to_ascii_lowercase())
                .ok_or_else(|| format!("{text:?} is not a key name"))?,
        };
        let code = match code {
            KeyCode::Tab if modifiers.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
            other => other,
        };
        Ok(Self::new(code, modifiers))
    }
}

fn arrow_key(glyph: char) -> Option<KeyCode> {
    Some(match glyph {
        '↑' => KeyCode::Up,
        '↓' => KeyCode::Down,
        '←' => KeyCode::Left,
        '→' => KeyCode::Right,
        _ => return None,
    })
}

fn named_key(name: &str) -> Option<KeyCode> {
    Some(match name {
        "enter" | "return" => KeyCode::Enter,
        "esc" | "escape" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "backtab" => KeyCode::BackTab,
        "space" => KeyCode::Char(' '),
        "backspace" => KeyCode::Backspace,
        "delete" | "del" => KeyCode::Delete,
        "insert" => KeyCode::Insert,
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        // `pgup` and `pgdn` are how keys are printed; the long names are what people type.
        "pageup" | "pgup" => KeyCode::PageUp,
        "pagedown" | "pgdn" => KeyCode::PageDown,
        f if f.starts_with('f') => {
            KeyCode::F(f[1..].parse().ok().filter(|n| (1..=24).contains(n))?)
        }
        _ => return None,
    })
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            f.write_str("ctrl-")?;
        }
        if self.modifiers.contains(KeyModifiers::ALT) {
            f.write_str("alt-")?;
        }
        if self.modifiers.contains(KeyModifiers::SHIFT) {
            f.write_str("shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("enter"),
            KeyCode::Esc => f.write_str("esc"),
            KeyCode::Tab => f.write_str("tab"),
            KeyCode::BackTab => f.write_str("shift-tab"),
            KeyCode::Backspace => f.write_str("backspace"),
            KeyCode::Delete => f.write_str("delete"),
            KeyCode::Insert => f.write_str("insert"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::Home => f.write_str("home"),
            KeyCode::End => f.write_str("end"),
            KeyCode::PageUp => f.write_str("pgup"),
            KeyCode::PageDown => f.write_str("pgdn"),
            KeyCode::F(n) => write!(f, "f{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// Keys to actions, with each action's keys in the order they are listed (the first is the
/// one hints show).
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: BTreeMap<Action, Vec<Key>>,
    /// Where the user's file was read from, for the help overlay.
    pub source: Option<PathBuf>,
}

impl Default for Keymap {
    fn default() -> Self {
        use KeyCode as K;
        let k = Key::plain;
        let c = Key::char;
        let defaults: [(Action, Vec<Key>); 37] = [
            (Action::Up, vec![c('k'), k(K::Up)]),
            (Action::Down, vec![c('j'), k(K::Down)]),
            (Action::Left, vec![c('h'), k(K::Left)]),
            (Action::Right, vec![c('l'), k(K::Right)]),
            (Action::Top, vec![c('g'), k(K::Home)]),
            (Action::Bottom, vec![c('G'), k(K::End)]),
            (
                Action::PageUp,
                vec![k(K::PageUp), Key::ctrl('b'), Key::ctrl('u')],
            ),
            (
                Action::PageDown,
                vec![k(K::PageDown), Key::ctrl('f'), Key::ctrl('d')],
            ),
            (Action::NextTab, vec![k(K::Tab)]),
            (Action::PrevTab, vec![k(K::BackTab)]),
            (Action::Open, vec![k(K::Enter)]),
            (Action::Back, vec![k(K::Esc)]),
            (Action::Search, vec![c('/')]),
            (Action::NextMatch, vec![c('n')]),
            (Action::PrevMatch, vec![c('N')]),
            (Action::Follow, vec![c('f')]),
            (Action::RelativeTime, vec![c('t')]),
            (Action::Wrap, vec![c('w')]),
            (Action::Zoom, vec![c('z')]),
            (Action::Secrets, vec![c('S')]),
            (Action::Pause, vec![c('p')]),
            (Action::Delete, vec![c('d'), k(K::Delete)]),
            (Action::ClearAll, vec![c('D')]),
            (Action::Mark, vec![c(' ')]),
            (Action::Copy, vec![c('y')]),
            (Action::Replay, vec![c('r')]),
            (Action::EditReplay, vec![c('R')]),
            (Action::ReplayShown, vec![c('A')]),
            (Action::Diff, vec![c('=')]),
            (Action::TabSummary, vec![c('1')]),
            (Action::TabBody, vec![c('2')]),
            (Action::TabHeaders, vec![c('3')]),
            (Action::TabValidation, vec![c('4')]),
            (Action::TabRaw, vec![c('5')]),
            (Action::TabReplays, vec![c('6')]),
            (Action::Help, vec![c('?'), k(K::F(1))]),
            (Action::Quit, vec![c('q'), Key::ctrl('c')]),
        ];
        Self {
            bindings: defaults.into_iter().collect(),
            source: None,
        }
    }
}

impl Keymap {
    /// The action bound to a key. Ctrl-C always quits, whatever the file says, so the
    /// interface can never lock someone in.
    pub fn action(&self, key: Key) -> Option<Action> {
        if key == Key::ctrl('c') {
            return Some(Action::Quit);
        }
        self.bindings
            .iter()
            .find(|(_, keys)| keys.contains(&key))
            .map(|(action, _)| *action)
    }

    pub fn keys(&self, action: Action) -> &[Key] {
        self.bindings.get(&action).map_or(&[], Vec::as_slice)
    }

    /// The first key of an action, as the hints show it; `None` when it is unbound.
    pub fn first_key(&self, action: Action) -> Option<Key> {
        self.keys(action).first().copied()
    }

    /// Applies a keymap file's text on top of these bindings. Every problem is reported with
    /// its line, and what was fine still applies: a bad key name drops only that key, an
    /// action left with no valid key keeps its defaults, and a key another action already
    /// has by default stays with that action.
    pub fn apply(&mut self, text: &str) -> Vec<String> {
        // Counted in bytes: a span can start inside no character, but slicing the text at
        // one past it could land inside a multi-byte one.
        let line_of = |start: usize| {
            let before = &text.as_bytes()[..start.min(text.len())];
            before.iter().filter(|&&b| b == b'\n').count() + 1
        };
        let table: BTreeMap<Spanned<String>, Spanned<toml::Value>> = match toml::from_str(text) {
            Ok(table) => table,
            Err(error) => {
                let line = error.span().map_or(1, |span| line_of(span.start));
                return vec![format!("line {line}: not valid TOML: {}", error.message())];
            }
        };
        let mut entries: Vec<_> = table.into_iter().collect();
        entries.sort_by_key(|(name, _)| name.span().start);
        let mut problems: Vec<(usize, String)> = Vec::new();
        let mut listed = Vec::new();
        for (name, value) in entries {
            let line = line_of(name.span().start);
            let Some(action) = Action::from_name(name.get_ref()) else {
                problems.push((
                    line,
                    format!(
                        "line {line}: unknown action {:?} (`?` in hookscope lists them)",
                        name.get_ref()
                    ),
                ));
                continue;
            };
            let keys: Vec<&str> = match value.get_ref() {
                toml::Value::String(key) => vec![key.as_str()],
                toml::Value::Array(keys) => keys.iter().filter_map(toml::Value::as_str).collect(),
                _ => {
                    problems.push((
                        line,
                        format!(
                            "line {line}: {}: give a key or a list of keys",
                            name.get_ref()
                        ),
                    ));
                    continue;
                }
            };
            let mut parsed = Vec::new();
            for key in keys {
                match Key::parse(key) {
                    Ok(key) => parsed.push(key),
                    Err(problem) => {
                        problems.push((line, format!("line {line}: {}: {problem}", name.get_ref())))
                    }
                }
            }
            listed.push((action, parsed, line));
        }
        // The listed actions give up their defaults first, so keys can move between them.
        let defaults = self.bindings.clone();
        for (action, _, _) in &listed {
            self.bindings.insert(*action, Vec::new());
        }
        for (action, keys, line) in listed {
            for key in keys {
                match self.owner(key) {
                    Some(owner) if owner != action => problems.push((
                        line,
                        format!(
                            "line {line}: {key} is already the key of {}; {} does not get it",
                            owner.name(),
                            action.name()
                        ),
                    )),
                    Some(_) => {}
                    None => self.bindings.entry(action).or_default().push(key),
                }
            }
            if self.keys(action).is_empty() {
                let kept: Vec<Key> = defaults
                    .get(&action)
                    .into_iter()
                    .flatten()
                    .copied()
                    .filter(|key| self.owner(*key).is_none())
                    .collect();
                problems.push((
                    line,
                    format!(
                        "line {line}: {} has no usable key, so it keeps {}",
                        action.name(),
                        describe_keys(&kept)
                    ),
                ));
                self.bindings.insert(action, kept);
            }
        }
        // In the order of the file (stable: a line's own problems keep their order).
        problems.sort_by_key(|(line, _)| *line);
        problems.into_iter().map(|(_, problem)| problem).collect()
    }

    fn owner(&self, key: Key) -> Option<Action> {
        self.bindings
            .iter()
            .find(|(_, keys)| keys.contains(&key))
            .map(|(action, _)| *action)
    }

    /// The defaults with the user's file applied, when there is one.
    pub fn load(path: Option<&Path>) -> (Self, Vec<String>) {
        let mut keymap = Self::default();
        let Some(path) = path else {
            return (keymap, Vec::new());
        };
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let problems = keymap.apply(&text);
                let problems = if problems.is_empty() {
                    Vec::new()
                } else {
                    // One message, so the status bar shows every problem, not the last.
                    vec![format!("{}: {}", path.display(), problems.join("; "))]
                };
                keymap.source = Some(path.to_owned());
                (keymap, problems)
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => (keymap, Vec::new()),
            Err(error) => (
                keymap,
                vec![format!("cannot read {}: {error}", path.display())],
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_keys() {
        assert_eq!(Key::parse("j").unwrap(), Key::char('j'));
        assert_eq!(Key::parse("G").unwrap(), Key::parse("shift-g").unwrap());
        assert_eq!(Key::parse("ctrl-d").unwrap(), Key::ctrl('d'));
        assert_eq!(
            Key::parse("shift-tab").unwrap(),
            Key::plain(KeyCode::BackTab)
        );
        assert_eq!(
            Key::parse("PageDown").unwrap(),
            Key::plain(KeyCode::PageDown)
        );
        assert_eq!(Key::parse("f5").unwrap(), Key::plain(KeyCode::F(5)));
        assert_eq!(Key::parse("-").unwrap(), Key::char('-'));
        assert!(Key::parse("hyper-x").is_err());
        assert!(Key::parse("f99").is_err());
        for text in ["ctrl-d", "shift-tab", "enter", "space", "G", "f1"] {
            assert_eq!(Key::parse(text).unwrap().to_string(), text);
        }
    }

    #[test]
    fn every_key_reads_back_as_it_is_printed() {
        // The help overlay and the README print keys this way; a keymap file copied from
        // them must mean the same keys.
        let keymap = Keymap::default();
        for action in Action::ALL {
            for key in keymap.keys(action) {
                let printed = key.to_string();
                assert_eq!(Key::parse(&printed), Ok(*key), "{printed:?} for {action:?}");
            }
        }
        assert_eq!(
            Key::parse("ctrl-↑").unwrap(),
            Key::new(KeyCode::Up, KeyModifiers::CONTROL)
        );
    }

    #[test]
    fn terminal_events_normalise_shift() {
        let event = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(&event), Some(Key::char('G')));
        let event = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(
            Keymap::default().action(Key::from_event(&event).unwrap()),
            Some(Action::PrevTab)
        );
    }

    #[test]
    fn every_action_has_a_default_key_and_no_key_is_bound_twice() {
        let keymap = Keymap::default();
        let mut seen = Vec::new();
        for action in Action::ALL {
            assert!(!keymap.keys(action).is_empty(), "{action:?} has no key");
            for key in keymap.keys(action) {
                assert!(!seen.contains(key), "{key} is bound twice");
                seen.push(*key);
            }
        }
    }

    #[test]
    fn a_file_replaces_the_keys_of_the_actions_it_lists() {
        let mut keymap = Keymap::default();
        let problems =
            keymap.apply("down = [\"ctrl-n\", \"down\"]\nquit = \"x\"\nnext_match = \"j\"\n");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(keymap.action(Key::ctrl('n')), Some(Action::Down));
        assert_eq!(keymap.action(Key::char('x')), Some(Action::Quit));
        assert_eq!(
            keymap.action(Key::char('q')),
            None,
            "quit's defaults are replaced"
        );
        assert_eq!(
            keymap.action(Key::char('j')),
            Some(Action::NextMatch),
            "j is free once down lets it go"
        );
        assert_eq!(
            keymap.action(Key::ctrl('c')),
            Some(Action::Quit),
            "ctrl-c always quits"
        );
    }

    #[test]
    fn every_problem_is_reported_with_its_line_and_the_rest_applies() {
        let mut keymap = Keymap::default();
        let problems = keymap.apply(
            "# my keys\ndelete = [\"j\"]\nfly = [\"u\"]\nup = [\"hyper-k\", \"ctrl-p\"]\nzoom = [\"hyper-z\"]\n",
        );
        assert_eq!(
            keymap.action(Key::char('j')),
            Some(Action::Down),
            "a default binding stays"
        );
        assert_eq!(
            keymap.keys(Action::Delete),
            &[Key::char('d'), Key::plain(KeyCode::Delete)],
            "delete, left with no key of its own, keeps its defaults"
        );
        assert_eq!(
            keymap.action(Key::ctrl('p')),
            Some(Action::Up),
            "only the bad key is dropped"
        );
        assert_eq!(
            keymap.action(Key::char('z')),
            Some(Action::Zoom),
            "keeps its defaults"
        );
        assert_eq!(problems.len(), 6, "{problems:?}");
        assert!(
            problems[0].starts_with("line 2: j is already the key of down"),
            "{problems:?}"
        );
        assert!(
            problems[1].starts_with("line 2: delete has no usable key"),
            "{problems:?}"
        );
        assert!(
            problems[2].starts_with("line 3: unknown action \"fly\""),
            "{problems:?}"
        );
        assert!(
            problems[3].contains("line 4: up: \"hyper-k\" is not a key name"),
            "{problems:?}"
        );
        assert!(
            problems[4].starts_with("line 5: zoom: \"hyper-z\""),
            "{problems:?}"
        );
        assert!(
            problems[5].starts_with("line 5: zoom has no usable key, so it keeps its default z"),
            "{problems:?}"
        );
    }

    #[test]
    fn a_broken_file_names_the_line_and_keeps_the_defaults() {
        let mut keymap = Keymap::default();
        let problems = keymap.apply("down = [\"j\"]\nup = [\n");
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].starts_with("line 2: not valid TOML"),
            "{problems:?}"
        );
        assert_eq!(keymap.action(Key::char('j')), Some(Action::Down));
    }
}
