//! syntect's bundled syntaxes and the two themes, loaded once, and the theme's styles turned
//! into ours: foreground and font style only, the terminal's own background stays.

use std::str::FromStr;
use std::sync::LazyLock;

use syntect::highlighting::{self as syn, FontStyle, Highlighter, Theme as SyntectTheme, ThemeSet};
use syntect::parsing::{ScopeStack, SyntaxSet};

use super::lines::Builder;
use super::{Rgb, Style, Theme};

pub(super) static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);

/// base16-eighties.dark: the brightest of the bundled dark themes, every colour at least 3.5:1
/// against a #1e1e1e background (base16-ocean.dark's red is 4.1:1, Solarized's cyan less).
/// InspiredGitHub: dark text on white, keys and numbers at least 4:1; base16-ocean.light's
/// strings are 2:1 on white, hard to read.
static THEMES: LazyLock<[SyntectTheme; 2]> = LazyLock::new(|| {
    let mut set = ThemeSet::load_defaults();
    let mut take = |name: &str| set.themes.remove(name).unwrap_or_default();
    [take("base16-eighties.dark"), take("InspiredGitHub")]
});

pub(super) fn syntect_theme(theme: Theme) -> &'static SyntectTheme {
    match theme {
        Theme::Dark => &THEMES[0],
        Theme::Light => &THEMES[1],
    }
}

/// What the hand-written highlighters (JSON, form) colour differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Token {
    Plain,
    /// `{ } [ ]`
    Bracket,
    /// `,` and `:` in JSON, ` = ` in forms.
    Separator,
    KeyQuote,
    Key,
    KeyEscape,
    StringQuote,
    String,
    Escape,
    Number,
    /// `true`, `false`, `null`.
    Literal,
    Comment,
    Invalid,
}

impl Token {
    pub(super) const ALL: [Token; 13] = [
        Token::Plain,
        Token::Bracket,
        Token::Separator,
        Token::KeyQuote,
        Token::Key,
        Token::KeyEscape,
        Token::StringQuote,
        Token::String,
        Token::Escape,
        Token::Number,
        Token::Literal,
        Token::Comment,
        Token::Invalid,
    ];

    /// The scopes syntect's bundled JSON syntax gives this token inside an object, so the
    /// theme colours it exactly as syntect would.
    fn scopes(self) -> &'static str {
        match self {
            Token::Plain => "source.json meta.structure.dictionary.json",
            Token::Bracket => {
                "source.json meta.structure.dictionary.json \
                 punctuation.section.dictionary.begin.json"
            }
            Token::Separator => {
                "source.json meta.structure.dictionary.json meta.structure.dictionary.value.json \
                 punctuation.separator.dictionary.pair.json"
            }
            Token::KeyQuote => {
                "source.json meta.structure.dictionary.json meta.structure.dictionary.key.json \
                 string.quoted.double.json punctuation.definition.string.begin.json"
            }
            Token::Key => {
                "source.json meta.structure.dictionary.json meta.structure.dictionary.key.json \
                 string.quoted.double.json"
            }
            Token::KeyEscape => {
                "source.json meta.structure.dictionary.json meta.structure.dictionary.key.json \
                 string.quoted.double.json constant.character.escape.json"
            }
            Token::StringQuote => {
                "source.json meta.structure.dictionary.json meta.structure.dictionary.value.json \
                 string.quoted.double.json punctuation.definition.string.begin.json"
            }
            Token::String => {
                "source.json meta.structure.dictionary.json meta.structure.dictionary.value.json \
                 string.quoted.double.json"
            }
            Token::Escape => {
                "source.json meta.structure.dictionary.json meta.structure.dictionary.value.json \
                 string.quoted.double.json constant.character.escape.json"
            }
            Token::Number => {
                "source.json meta.structure.dictionary.json meta.structure.dictionary.value.json \
                 constant.numeric.json"
            }
            Token::Literal => {
                "source.json meta.structure.dictionary.json meta.structure.dictionary.value.json \
                 constant.language.json"
            }
            Token::Comment => {
                "source.json meta.structure.dictionary.json meta.structure.dictionary.value.json \
                 comment.line.double-slash.js"
            }
            Token::Invalid => {
                "source.json meta.structure.dictionary.json \
                 invalid.illegal.expected-dictionary-separator.json"
            }
        }
    }
}

/// The style of every `Token` in one theme, in `Token::ALL` order.
pub(super) struct TokenStyles([Style; Token::ALL.len()]);

impl TokenStyles {
    pub(super) fn get(&self, token: Token) -> Style {
        self.0[token as usize]
    }
}

static TOKEN_STYLES: LazyLock<[TokenStyles; 2]> =
    LazyLock::new(|| [Theme::Dark, Theme::Light].map(token_styles));

pub(super) fn tokens(theme: Theme) -> &'static TokenStyles {
    &TOKEN_STYLES[theme as usize]
}

fn token_styles(theme: Theme) -> TokenStyles {
    let syntect = syntect_theme(theme);
    let highlighter = Highlighter::new(syntect);
    let styles = Token::ALL.map(|token| {
        let stack = ScopeStack::from_str(token.scopes()).unwrap_or_default();
        convert(syntect, highlighter.style_for_stack(stack.as_slice()))
    });
    let mut styles = TokenStyles(styles);
    // Keys are what a reader scans for. Where the theme gives them the look of string values
    // (the base16 themes do), they take the look of XML element names instead.
    if styles.get(Token::Key) == styles.get(Token::String) {
        let stack = ScopeStack::from_str("text.xml meta.tag.xml entity.name.tag.localname.xml")
            .unwrap_or_default();
        styles.0[Token::Key as usize] =
            convert(syntect, highlighter.style_for_stack(stack.as_slice()));
    }
    // Some themes (InspiredGitHub, the light one) leave string values in the text colour,
    // so a value cannot be told from punctuation at a glance: they get a green of their own.
    if styles.get(Token::String).fg.is_none() {
        for token in [Token::String, Token::StringQuote] {
            let style = &mut styles.0[token as usize];
            style.fg = style.fg.or(Some(STRING_GREEN));
        }
    }
    styles
}

/// A string colour readable on white, for themes that give strings none.
const STRING_GREEN: Rgb = Rgb(0x1a, 0x7f, 0x37);

/// A syntect style as we draw it. Text in the theme's default colour keeps the terminal's own
/// foreground. A scope that paints its own background (`invalid`) is underlined instead, and
/// where its text colour is the theme's background, which would vanish on a terminal of that
/// colour, the background colour becomes the text colour.
pub(super) fn convert(theme: &SyntectTheme, style: syn::Style) -> Style {
    let default_fg = theme.settings.foreground;
    let default_bg = theme.settings.background;
    let own_background = default_bg.is_some_and(|bg| style.background != bg);
    let foreground = if own_background && Some(style.foreground) == default_bg {
        style.background
    } else {
        style.foreground
    };
    Style {
        fg: (Some(foreground) != default_fg).then(|| rgb(foreground)),
        bold: style.font_style.contains(FontStyle::BOLD),
        italic: style.font_style.contains(FontStyle::ITALIC),
        underline: own_background || style.font_style.contains(FontStyle::UNDERLINE),
    }
}

fn rgb(color: syn::Color) -> Rgb {
    Rgb(color.r, color.g, color.b)
}

/// `TokenStyles` as the indices one `Builder` knows them by.
pub(super) struct TokenIds([u16; Token::ALL.len()]);

impl TokenIds {
    pub(super) fn new(theme: Theme, builder: &mut Builder) -> TokenIds {
        let styles = tokens(theme);
        TokenIds(Token::ALL.map(|token| builder.intern(styles.get(token))))
    }

    pub(super) fn get(&self, token: Token) -> u16 {
        self.0[token as usize]
    }
}
