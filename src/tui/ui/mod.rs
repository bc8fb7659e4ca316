//! Drawing: a pure function of the state. Nothing here reads the store, starts work or
//! looks at the clock; everything it shows comes from `State`.

mod banner;
mod confirm;
mod detail;
mod dialogs;
mod diff;
pub mod findings;
mod header;
pub mod headers_tab;
mod help;
pub mod list;
pub mod replays_tab;
mod safe;
#[cfg(test)]
mod snapshot_tests;
mod status;
pub mod summary;
pub mod tabs;
mod text_view;

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::layout::{MIN_HEIGHT, MIN_WIDTH};
use super::state::{Overlay, State};
use super::theme::Theme;

pub fn draw(frame: &mut Frame, state: &State, theme: Theme) {
    let area = frame.area();
    let Some(areas) = state.areas() else {
        too_small(frame, area, theme);
        return;
    };
    // A store that cannot write matters more than anything the header says.
    if !banner::draw(frame, areas.header, state, theme) {
        header::draw(frame, areas.header, state, theme);
    }
    if let Some(list_area) = areas.list {
        list::draw(frame, list_area, state, theme);
    }
    detail::draw(frame, areas.detail, state, theme);
    status::draw(frame, areas.status, state, theme);
    // Overlays sit between the header and the status bar, which stay readable.
    let area = areas.between();
    match &state.overlay {
        Overlay::Help { scroll } => help::draw(frame, area, state, *scroll, theme),
        Overlay::ConfirmClear => confirm::draw(frame, area, state, theme),
        Overlay::CopyMenu => dialogs::copy_menu(frame, area, state, theme),
        Overlay::ConfirmReplay(choice) => dialogs::bulk_replay(frame, area, choice, theme),
        Overlay::EditFailed(retry) => dialogs::edit_failed(frame, area, retry, theme),
        Overlay::Diff { view, scroll } => diff::draw(frame, area, view, *scroll, theme),
        Overlay::None => {}
    }
}

fn too_small(frame: &mut Frame, area: Rect, theme: Theme) {
    let lines = vec![
        Line::styled("Terminal too small", theme.title()),
        Line::raw(format!(
            "{}×{} here; hookscope needs at least {MIN_WIDTH}×{MIN_HEIGHT}.",
            area.width, area.height
        )),
        Line::styled("Enlarge the window, or press q to quit.", theme.dim()),
    ];
    let top = area.height.saturating_sub(lines.len() as u16) / 2;
    let message = Rect {
        y: area.y + top,
        height: area.height - top,
        ..area
    };
    frame.render_widget(
        Paragraph::new(lines)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        message,
    );
}

/// `1234567` → `1,234,567`: the one way counts are written.
pub use crate::units::group_digits;

/// A centred rectangle of at most this size, for dialogs.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}
