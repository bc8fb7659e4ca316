//! Where everything goes on the screen, computed from the terminal size alone, so drawing,
//! scrolling (page sizes) and mouse clicks all agree on it.

use ratatui::layout::{Constraint, Direction, Layout, Rect};

/// Below this the panes cannot show anything useful.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 12;
/// From this width the list and the detail sit side by side.
pub const SIDE_BY_SIDE_WIDTH: u16 = 140;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    /// The list pane with its border; `None` while the detail is zoomed.
    pub list: Option<Rect>,
    pub detail: Rect,
    pub status: Rect,
}

impl Areas {
    /// `None` when the terminal is too small to draw the panes.
    pub fn new(size: Rect, zoom: bool) -> Option<Self> {
        if size.width < MIN_WIDTH || size.height < MIN_HEIGHT {
            return None;
        }
        let [header, main, status] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(size);
        if zoom {
            return Some(Self {
                header,
                list: None,
                detail: main,
                status,
            });
        }
        let (direction, constraints) = if size.width >= SIDE_BY_SIDE_WIDTH {
            (
                Direction::Horizontal,
                [Constraint::Percentage(55), Constraint::Percentage(45)],
            )
        } else {
            (
                Direction::Vertical,
                [Constraint::Percentage(40), Constraint::Percentage(60)],
            )
        };
        let [list, detail] = Layout::default()
            .direction(direction)
            .constraints(constraints)
            .areas(main);
        Some(Self {
            header,
            list: Some(list),
            detail,
            status,
        })
    }

    /// List rows that fit: inside the border, under the column titles.
    pub fn list_rows(&self) -> usize {
        self.list
            .map_or(0, |list| list.height.saturating_sub(3) as usize)
    }

    /// Detail lines that fit: inside the border, under the tab bar.
    pub fn detail_rows(&self) -> usize {
        self.detail.height.saturating_sub(3) as usize
    }

    /// The first list row's screen line.
    pub fn first_list_row_y(&self) -> Option<u16> {
        self.list.map(|list| list.y + 2)
    }

    /// Everything between the header and the status bar: where overlays go.
    pub fn between(&self) -> Rect {
        Rect {
            y: self.header.bottom(),
            height: self.status.y.saturating_sub(self.header.bottom()),
            ..self.header
        }
    }

    /// The tab bar's screen line.
    pub fn tab_bar_y(&self) -> u16 {
        self.detail.y + 1
    }
}

pub fn contains(area: Rect, column: u16, row: u16) -> bool {
    column >= area.x && column < area.right() && row >= area.y && row < area.bottom()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_is_side_by_side_narrow_is_stacked_tiny_is_none() {
        let wide = Areas::new(Rect::new(0, 0, 160, 40), false).unwrap();
        assert_eq!(wide.list.unwrap().y, wide.detail.y);
        let narrow = Areas::new(Rect::new(0, 0, 100, 40), false).unwrap();
        assert!(narrow.list.unwrap().bottom() <= narrow.detail.y);
        let zoomed = Areas::new(Rect::new(0, 0, 100, 40), true).unwrap();
        assert_eq!((zoomed.list, zoomed.detail.height), (None, 38));
        assert!(Areas::new(Rect::new(0, 0, 59, 40), false).is_none());
        assert!(Areas::new(Rect::new(0, 0, 80, 11), false).is_none());
    }
}
