//! Where each pane goes; shared by rendering and by `update` (for page sizes).

use ratatui::layout::Rect;

/// Narrower than this, panes are stacked instead of side by side.
pub const SIDE_BY_SIDE_MIN_WIDTH: u16 = 100;
/// Smaller than this, only a "terminal too small" message is drawn.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 10;

/// The screen split into panes. `None` when the terminal is too small.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Panes {
    pub list: Rect,
    pub detail: Rect,
    pub status: Rect,
    pub side_by_side: bool,
}

impl Panes {
    pub fn compute(area: Rect) -> Option<Panes> {
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            return None;
        }
        let body = Rect {
            height: area.height - 1,
            ..area
        };
        let status = Rect {
            y: area.y + area.height - 1,
            height: 1,
            ..area
        };
        let side_by_side = area.width >= SIDE_BY_SIDE_MIN_WIDTH;
        let (list, detail) = if side_by_side {
            let list_w = body.width * 11 / 20;
            (
                Rect {
                    width: list_w,
                    ..body
                },
                Rect {
                    x: body.x + list_w,
                    width: body.width - list_w,
                    ..body
                },
            )
        } else {
            let list_h = (body.height * 2 / 5).max(5);
            (
                Rect {
                    height: list_h,
                    ..body
                },
                Rect {
                    y: body.y + list_h,
                    height: body.height - list_h,
                    ..body
                },
            )
        };
        Some(Panes {
            list,
            detail,
            status,
            side_by_side,
        })
    }
}

/// The inside of a bordered pane.
pub fn inner(area: Rect) -> Rect {
    Rect {
        x: area.x + 1,
        y: area.y + 1,
        width: area.width.saturating_sub(2),
        height: area.height.saturating_sub(2),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts() {
        let p = Panes::compute(Rect::new(0, 0, 200, 60)).expect("fits");
        assert!(p.side_by_side);
        assert_eq!(p.list.width + p.detail.width, 200);
        assert_eq!(p.status.y, 59);
        let p = Panes::compute(Rect::new(0, 0, 80, 24)).expect("fits");
        assert!(!p.side_by_side);
        assert_eq!(p.list.height + p.detail.height, 23);
        assert!(Panes::compute(Rect::new(0, 0, 39, 24)).is_none());
        assert!(Panes::compute(Rect::new(0, 0, 80, 9)).is_none());
    }
}
