//! The red line that replaces the header while the store cannot take captures: senders are
//! getting 503s, and nothing else on the screen says so.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::safe;
use crate::store::StoreHealth;
use crate::tui::state::State;
use crate::tui::theme::Theme;

/// Draws the banner when there is one to draw; false when the store is writing.
pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: Theme) -> bool {
    let Some(text) = message(&state.store_health) else {
        return false;
    };
    let line = Line::from(vec![
        Span::styled(" ✗ ", theme.error()),
        Span::styled(safe::line(&text).into_owned(), theme.error()),
    ]);
    frame.render_widget(Paragraph::new(line), area);
    true
}

fn message(health: &StoreHealth) -> Option<String> {
    match health {
        StoreHealth::Writing => None,
        StoreHealth::Failing(why) => Some(format!(
            "NOT CAPTURING: senders get 503 until the store can be written again ({why})"
        )),
        StoreHealth::Lost(why) => Some(format!(
            "NOT CAPTURING: {why}; senders get 503. Quit and restart hookscope for a new store"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoreEvent;
    use crate::tui::message::Message;
    use crate::tui::test_support::{fixtures, loaded, screen};

    fn top_line(state: &State) -> String {
        screen(state).lines().next().unwrap_or_default().to_owned()
    }

    fn health(state: &mut State, health: StoreHealth) {
        let mut effects = Vec::new();
        assert!(state.update(Message::Store(StoreEvent::Health(health)), &mut effects));
    }

    #[test]
    fn a_store_that_cannot_write_replaces_the_header_until_it_writes_again() {
        let mut state = loaded(100, 20, &fixtures());
        assert!(top_line(&state).contains("hookscope ●"));
        health(&mut state, StoreHealth::Failing("disk full".into()));
        let shown = top_line(&state);
        assert!(
            shown.contains("NOT CAPTURING") && shown.contains("disk full"),
            "{shown}"
        );
        health(&mut state, StoreHealth::Writing);
        assert!(top_line(&state).contains("hookscope ●"));

        health(
            &mut state,
            StoreHealth::Lost("/tmp/c.sqlite3 was deleted".into()),
        );
        let shown = top_line(&state);
        assert!(
            shown.contains("NOT CAPTURING: /tmp/c.sqlite3 was deleted"),
            "{shown}"
        );
    }
}
