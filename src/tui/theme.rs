//! Colours. The interface's own colours come from the terminal's 16-colour palette, which
//! every terminal tunes to its background; only selection backgrounds and body syntax
//! colours differ between the dark and light themes, and yellow, which no light terminal
//! makes readable as text, becomes a dark amber there. With NO_COLOR nothing is coloured:
//! bold, underline and reverse video carry the distinctions instead.

use ratatui::style::{Color, Modifier, Style};

use crate::highlight;

/// `--theme`: colours for a dark or light background, or `auto` from COLORFGBG.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ThemeChoice {
    Auto,
    Dark,
    Light,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub colour: bool,
    pub dark: bool,
}

impl Theme {
    pub fn new(choice: ThemeChoice, no_color: bool, colorfgbg: Option<&str>) -> Self {
        let dark = match choice {
            ThemeChoice::Dark => true,
            ThemeChoice::Light => false,
            ThemeChoice::Auto => colorfgbg.and_then(background_is_dark).unwrap_or(true),
        };
        Self {
            colour: !no_color,
            dark,
        }
    }

    /// The theme for syntax colours; `None` without colour.
    pub fn syntax(self) -> Option<highlight::Theme> {
        self.colour.then_some(if self.dark {
            highlight::Theme::Dark
        } else {
            highlight::Theme::Light
        })
    }

    fn fg(self, colour: Color) -> Style {
        if self.colour {
            Style::new().fg(colour)
        } else {
            Style::new()
        }
    }

    pub fn title(self) -> Style {
        self.fg(self.cyan()).add_modifier(Modifier::BOLD)
    }

    pub fn dim(self) -> Style {
        if self.colour {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    pub fn label(self) -> Style {
        self.fg(Color::Blue).add_modifier(Modifier::BOLD)
    }

    pub fn ok(self) -> Style {
        self.fg(Color::Green)
    }

    pub fn error(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn warning(self) -> Style {
        self.fg(self.yellow())
    }

    /// Yellow on a dark background; on a light one, where yellow text all but vanishes, a
    /// dark amber (xterm 130, #af5f00) that keeps the warning look and reads on white.
    fn yellow(self) -> Color {
        if self.dark {
            Color::Yellow
        } else {
            Color::Indexed(130)
        }
    }

    /// Cyan on a dark background; on a light one a deeper teal (xterm 30, #008787), as
    /// terminal cyan is pale on white.
    fn cyan(self) -> Color {
        if self.dark {
            Color::Cyan
        } else {
            Color::Indexed(30)
        }
    }

    pub fn accent(self) -> Style {
        self.fg(Color::Magenta)
    }

    pub fn method(self, method: &str) -> Style {
        let colour = match method {
            "GET" | "HEAD" => Color::Green,
            "POST" => self.yellow(),
            "PUT" => Color::Blue,
            "PATCH" => self.cyan(),
            "DELETE" => Color::Red,
            _ => Color::Magenta,
        };
        self.fg(colour).add_modifier(Modifier::BOLD)
    }

    /// The selected row: a background band when focused, a dimmer one when not.
    pub fn selected(self, focused: bool) -> Style {
        if !self.colour {
            return if focused {
                Style::new().add_modifier(Modifier::REVERSED)
            } else {
                Style::new().add_modifier(Modifier::UNDERLINED)
            };
        }
        let background = match (self.dark, focused) {
            (true, true) => Color::Indexed(24),
            (true, false) => Color::Indexed(237),
            (false, true) => Color::Indexed(153),
            (false, false) => Color::Indexed(253),
        };
        Style::new().bg(background)
    }

    pub fn border(self, focused: bool) -> Style {
        match (focused, self.colour) {
            (true, true) => Style::new().fg(self.cyan()),
            (true, false) => Style::new().add_modifier(Modifier::BOLD),
            (false, _) => self.dim(),
        }
    }

    pub fn active_tab(self) -> Style {
        self.fg(self.cyan())
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    pub fn search_match(self) -> Style {
        if self.colour {
            Style::new().bg(Color::Yellow).fg(Color::Black)
        } else {
            Style::new().add_modifier(Modifier::UNDERLINED)
        }
    }

    pub fn current_match(self) -> Style {
        if self.colour {
            Style::new()
                .bg(Color::LightRed)
                .fg(Color::Black)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    /// The body line a finding jump landed on.
    pub fn marked_line(self) -> Style {
        self.selected(false).add_modifier(Modifier::BOLD)
    }

    pub fn status_bar(self) -> Style {
        if self.colour {
            Style::new().bg(if self.dark {
                Color::Indexed(236)
            } else {
                Color::Indexed(254)
            })
        } else {
            Style::new()
        }
    }

    pub fn key(self) -> Style {
        self.fg(self.cyan()).add_modifier(Modifier::BOLD)
    }

    /// A syntax colour from the highlighter, as a terminal style.
    pub fn code(self, style: highlight::Style) -> Style {
        let mut out = Style::new();
        if self.colour
            && let Some(highlight::Rgb(r, g, b)) = style.fg
        {
            out = out.fg(Color::Rgb(r, g, b));
        }
        if style.bold {
            out = out.add_modifier(Modifier::BOLD);
        }
        if style.italic {
            out = out.add_modifier(Modifier::ITALIC);
        }
        if style.underline {
            out = out.add_modifier(Modifier::UNDERLINED);
        }
        out
    }
}

/// COLORFGBG is `fg;bg` (sometimes `fg;default;bg`) in palette numbers; 0–6 and 8 are dark.
fn background_is_dark(value: &str) -> Option<bool> {
    let background: u8 = value.rsplit(';').next()?.parse().ok()?;
    Some(matches!(background, 0..=6 | 8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_reads_the_terminal_background() {
        assert!(!Theme::new(ThemeChoice::Auto, false, Some("0;15")).dark);
        assert!(Theme::new(ThemeChoice::Auto, false, Some("15;0")).dark);
        assert!(Theme::new(ThemeChoice::Auto, false, Some("garbage")).dark);
        assert!(!Theme::new(ThemeChoice::Light, false, Some("15;0")).dark);
    }

    #[test]
    fn no_color_means_no_colours_anywhere() {
        let theme = Theme::new(ThemeChoice::Dark, true, None);
        for style in [
            theme.title(),
            theme.method("POST"),
            theme.error(),
            theme.selected(true),
            theme.search_match(),
            theme.code(highlight::Style {
                fg: Some(highlight::Rgb(1, 2, 3)),
                ..Default::default()
            }),
        ] {
            assert_eq!((style.fg, style.bg), (None, None), "{style:?}");
        }
        assert_eq!(theme.syntax(), None);
    }

    /// Every style the theme hands out, for a theme.
    fn every_style(theme: Theme) -> Vec<Style> {
        let mut styles = vec![
            theme.title(),
            theme.dim(),
            theme.label(),
            theme.ok(),
            theme.error(),
            theme.warning(),
            theme.accent(),
            theme.active_tab(),
            theme.search_match(),
            theme.current_match(),
            theme.marked_line(),
            theme.status_bar(),
            theme.key(),
        ];
        for focused in [true, false] {
            styles.extend([theme.selected(focused), theme.border(focused)]);
        }
        for method in ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] {
            styles.push(theme.method(method));
        }
        styles
    }

    #[test]
    fn no_text_is_yellow_on_a_light_background() {
        let light = Theme::new(ThemeChoice::Light, false, None);
        for style in every_style(light) {
            assert!(
                !matches!(
                    style.fg,
                    Some(Color::Yellow | Color::LightYellow | Color::Cyan | Color::LightCyan)
                ),
                "pale on white: {style:?}"
            );
        }
        assert_ne!(
            light.warning(),
            light.fg(Color::Reset),
            "warnings still stand out"
        );
        let dark = Theme::new(ThemeChoice::Dark, false, None);
        assert_eq!(dark.warning().fg, Some(Color::Yellow), "dark keeps yellow");
    }

    /// The style `highlight` gives the first run that starts at `needle` in one-line JSON.
    fn json_style(theme: Theme, text: &str, needle: &str) -> Style {
        let syntax = theme.syntax().expect("a colour theme");
        let highlighted = highlight::highlight(text, highlight::Language::Json, syntax, &|| false)
            .expect("highlighted");
        let at = text.find(needle).expect("the needle");
        let (_, style) = highlighted
            .spans(0)
            .find(|(range, _)| range.contains(&at))
            .expect("a run");
        theme.code(style)
    }

    #[test]
    fn the_light_theme_colours_json_strings() {
        let text = r#"{"event": "deploy", "count": 3}"#;
        for choice in [ThemeChoice::Dark, ThemeChoice::Light] {
            let theme = Theme::new(choice, false, None);
            let value = json_style(theme, text, "deploy");
            assert!(value.fg.is_some(), "{choice:?}: {value:?}");
            assert_ne!(value, json_style(theme, text, "event"), "{choice:?}");
        }
    }
}
