//! Everything a key can do. The keymap binds keys to these; the help overlay and the status
//! bar hints are generated from the keymap, so they always say what the keys really do.

use super::state::Focus;

/// One user intent, independent of the key that asked for it. What some of them do depends
/// on where the focus is (the list or the detail pane); the descriptions say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Up,
    Down,
    Left,
    Right,
    Top,
    Bottom,
    PageUp,
    PageDown,
    NextTab,
    PrevTab,
    Open,
    Back,
    Search,
    NextMatch,
    PrevMatch,
    Follow,
    RelativeTime,
    Wrap,
    Zoom,
    Secrets,
    Pause,
    Delete,
    ClearAll,
    Mark,
    Copy,
    Replay,
    EditReplay,
    ReplayShown,
    Diff,
    /// Keys 1 to 6: straight to a detail tab.
    TabSummary,
    TabBody,
    TabHeaders,
    TabValidation,
    TabRaw,
    TabReplays,
    Help,
    Quit,
}

/// Groups for the help overlay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Move,
    View,
    Captures,
    Send,
    General,
}

impl Section {
    pub const ALL: [Section; 5] = [
        Section::Move,
        Section::View,
        Section::Captures,
        Section::Send,
        Section::General,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Section::Move => "Move",
            Section::View => "View",
            Section::Captures => "Captures",
            Section::Send => "Copy, replay, compare",
            Section::General => "General",
        }
    }
}

impl Action {
    pub const ALL: [Action; 37] = [
        Action::Up,
        Action::Down,
        Action::Left,
        Action::Right,
        Action::Top,
        Action::Bottom,
        Action::PageUp,
        Action::PageDown,
        Action::NextTab,
        Action::PrevTab,
        Action::Open,
        Action::Back,
        Action::Search,
        Action::NextMatch,
        Action::PrevMatch,
        Action::Follow,
        Action::RelativeTime,
        Action::Wrap,
        Action::Zoom,
        Action::Secrets,
        Action::Pause,
        Action::Delete,
        Action::ClearAll,
        Action::Mark,
        Action::Copy,
        Action::Replay,
        Action::EditReplay,
        Action::ReplayShown,
        Action::Diff,
        Action::TabSummary,
        Action::TabBody,
        Action::TabHeaders,
        Action::TabValidation,
        Action::TabRaw,
        Action::TabReplays,
        Action::Help,
        Action::Quit,
    ];

    /// The name used in the keymap file.
    pub fn name(self) -> &'static str {
        match self {
            Action::Up => "up",
            Action::Down => "down",
            Action::Left => "left",
            Action::Right => "right",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::PageUp => "page_up",
            Action::PageDown => "page_down",
            Action::NextTab => "next_tab",
            Action::PrevTab => "prev_tab",
            Action::Open => "open",
            Action::Back => "back",
            Action::Search => "search",
            Action::NextMatch => "next_match",
            Action::PrevMatch => "prev_match",
            Action::Follow => "follow",
            Action::RelativeTime => "relative_time",
            Action::Wrap => "wrap",
            Action::Zoom => "zoom",
            Action::Secrets => "secrets",
            Action::Pause => "pause",
            Action::Delete => "delete",
            Action::ClearAll => "clear_all",
            Action::Mark => "mark",
            Action::Copy => "copy",
            Action::Replay => "replay",
            Action::EditReplay => "edit_replay",
            Action::ReplayShown => "replay_shown",
            Action::Diff => "diff",
            Action::TabSummary => "tab_summary",
            Action::TabBody => "tab_body",
            Action::TabHeaders => "tab_headers",
            Action::TabValidation => "tab_validation",
            Action::TabRaw => "tab_raw",
            Action::TabReplays => "tab_replays",
            Action::Help => "help",
            Action::Quit => "quit",
        }
    }

    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == name)
    }

    /// What the action does, for the help overlay.
    pub fn description(self) -> &'static str {
        match self {
            Action::Up => "previous capture; in the detail pane, scroll up",
            Action::Down => "next capture; in the detail pane, scroll down",
            Action::Left => "scroll left (detail pane, long lines)",
            Action::Right => "scroll right (detail pane, long lines)",
            Action::Top => "first (oldest) capture, or top of the detail",
            Action::Bottom => "newest capture (and follow), or end of the detail",
            Action::PageUp => "one page up",
            Action::PageDown => "one page down",
            Action::NextTab => "next detail tab",
            Action::PrevTab => "previous detail tab",
            Action::Open => "list: focus the detail pane; Validation: show the field in Body",
            Action::Back => "close, clear the search, or go back to the list",
            Action::Search => "list: filter captures; detail pane: search the text",
            Action::NextMatch => "next search match",
            Action::PrevMatch => "previous search match",
            Action::Follow => "follow new captures on or off",
            Action::RelativeTime => "times as clock time or as \"2m ago\"",
            Action::Wrap => "wrap long lines on or off",
            Action::Zoom => "detail pane full screen on or off",
            Action::Secrets => "show or mask tokens, cookies, keys and signatures (this session)",
            Action::Pause => "pause the display (captures are still stored)",
            Action::Delete => "delete the selected capture",
            Action::ClearAll => "delete every capture (asks first)",
            Action::Mark => "mark or unmark the capture, for bulk replay and diff",
            Action::Copy => "copy the body, headers, a curl command, the raw request…",
            Action::Replay => "replay the capture (or the marked ones) to a URL, exactly",
            Action::EditReplay => "edit the request in $EDITOR, then replay it",
            Action::ReplayShown => "replay every capture the list shows (the filter's)",
            Action::Diff => "compare the two marked captures, or a replay with its capture",
            Action::TabSummary => "the Summary tab",
            Action::TabBody => "the Body tab",
            Action::TabHeaders => "the Headers tab",
            Action::TabValidation => "the Validation tab",
            Action::TabRaw => "the Raw tab",
            Action::TabReplays => "the Replays tab",
            Action::Help => "this help",
            Action::Quit => "quit",
        }
    }

    /// A word or two for the status bar hints, in plain words (never the keymap name), for
    /// where the focus is: `/` filters the list but searches the detail pane.
    pub fn hint(self, focus: Focus) -> &'static str {
        match self {
            Action::Up => "up",
            Action::Down => "down",
            Action::Left => "left",
            Action::Right => "right",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::NextTab => "tabs",
            Action::PrevTab => "previous tab",
            Action::Open => "open",
            Action::Back => "back",
            Action::Search => match focus {
                Focus::List => "filter",
                Focus::Detail => "search",
            },
            Action::NextMatch => "next match",
            Action::PrevMatch => "previous match",
            Action::Follow => "follow",
            Action::RelativeTime => "relative time",
            Action::Wrap => "wrap",
            Action::Zoom => "zoom",
            Action::Secrets => "secrets",
            Action::Pause => "pause",
            Action::Delete => "delete",
            Action::ClearAll => "clear all",
            Action::Mark => "mark",
            Action::Copy => "copy",
            Action::Replay => "replay",
            Action::EditReplay => "edit and replay",
            Action::ReplayShown => "replay shown",
            Action::Diff => "compare",
            Action::TabSummary => "summary",
            Action::TabBody => "body",
            Action::TabHeaders => "headers",
            Action::TabValidation => "validation",
            Action::TabRaw => "raw",
            Action::TabReplays => "replays",
            Action::Help => "help",
            Action::Quit => "quit",
        }
    }

    /// The hint of an action that switches something off again, while it is on: the pause
    /// key says `resume` while the display is paused.
    pub fn hint_while_on(self) -> Option<&'static str> {
        match self {
            Action::Pause => Some("resume"),
            _ => None,
        }
    }

    pub fn section(self) -> Section {
        match self {
            Action::Up
            | Action::Down
            | Action::Left
            | Action::Right
            | Action::Top
            | Action::Bottom
            | Action::PageUp
            | Action::PageDown => Section::Move,
            Action::NextTab
            | Action::PrevTab
            | Action::Open
            | Action::Back
            | Action::Search
            | Action::NextMatch
            | Action::PrevMatch
            | Action::Wrap
            | Action::Zoom
            | Action::Secrets
            | Action::RelativeTime
            | Action::TabSummary
            | Action::TabBody
            | Action::TabHeaders
            | Action::TabValidation
            | Action::TabRaw
            | Action::TabReplays => Section::View,
            Action::Follow | Action::Pause | Action::Delete | Action::ClearAll | Action::Mark => {
                Section::Captures
            }
            Action::Copy
            | Action::Replay
            | Action::EditReplay
            | Action::ReplayShown
            | Action::Diff => Section::Send,
            Action::Help | Action::Quit => Section::General,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        for action in Action::ALL {
            assert_eq!(Action::from_name(action.name()), Some(action));
        }
        let mut names: Vec<_> = Action::ALL.iter().map(|a| a.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Action::ALL.len());
    }

    #[test]
    fn hints_are_words_not_keymap_names() {
        for action in Action::ALL {
            for focus in [Focus::List, Focus::Detail] {
                let hint = action.hint(focus);
                assert!(!hint.is_empty(), "{action:?}");
                assert!(
                    hint.chars().all(|c| c.is_ascii_lowercase() || c == ' '),
                    "{action:?}: {hint:?}"
                );
            }
            if let Some(hint) = action.hint_while_on() {
                assert!(!hint.contains('_'), "{action:?}: {hint:?}");
            }
        }
        assert_eq!(Action::NextMatch.hint(Focus::Detail), "next match");
        assert_eq!(Action::Search.hint(Focus::List), "filter");
        assert_eq!(Action::Search.hint(Focus::Detail), "search");
        assert_eq!(Action::Pause.hint_while_on(), Some("resume"));
    }
}
