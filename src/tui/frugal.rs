//! A backend that spends fewer bytes on a slow link. The terminal only receives the cells
//! that changed, but each run of them starts with a cursor move (`ESC [ row ; col H`, up to
//! eight bytes); when two runs on a line are a few cells apart, writing the unchanged cells
//! between them costs less than moving over them. This backend remembers what the screen
//! holds, and fills such gaps with it, where that needs no change of style.

use std::io;

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::{Buffer, Cell, CellDiffOption};
use ratatui::layout::{Position, Rect, Size};
use unicode_width::UnicodeWidthStr;

/// The widest gap filled: a cursor move to a two-digit row and column takes seven or eight
/// bytes.
const MAX_GAP: u16 = 6;

pub struct Frugal<B: Backend> {
    inner: B,
    /// What the screen holds, as far as this backend has drawn it; none when unknown.
    shadow: Option<Buffer>,
}

impl<B: Backend> Frugal<B> {
    /// Over a screen that starts blank (the alternate screen).
    pub fn new(inner: B) -> Result<Frugal<B>, B::Error> {
        let size = inner.size()?;
        Ok(Frugal {
            inner,
            shadow: Some(blank(size)),
        })
    }
}

fn blank(size: Size) -> Buffer {
    Buffer::empty(Rect::new(0, 0, size.width, size.height))
}

/// Drawn with the same style: one cell after another needs no change of colour or
/// attribute between them.
fn same_style(a: &Cell, b: &Cell) -> bool {
    a.fg == b.fg
        && a.bg == b.bg
        && a.modifier == b.modifier
        && a.underline_color == b.underline_color
}

/// One column wide: a cell the cursor steps over by writing it.
fn narrow(cell: &Cell) -> bool {
    cell.symbol().width() == 1 && cell.diff_option == CellDiffOption::None
}

/// The cells to write: every update, and between two on one line the unchanged cells of a
/// short gap, where they are narrow and share the style of the cell before the gap.
fn filled(updates: Vec<(u16, u16, Cell)>, shadow: &Buffer) -> Vec<(u16, u16, Cell)> {
    let mut out: Vec<(u16, u16, Cell)> = Vec::with_capacity(updates.len());
    for (x, y, cell) in updates {
        if let Some((last_x, last_y, last)) = out.last() {
            let from = last_x.saturating_add(1);
            let gap = x.saturating_sub(from);
            if *last_y == y && x > from && gap <= MAX_GAP && narrow(last) {
                let between: Option<Vec<Cell>> = (from..x)
                    .map(|gx| {
                        shadow
                            .cell(Position::new(gx, y))
                            .filter(|c| narrow(c) && same_style(c, last))
                            .cloned()
                    })
                    .collect();
                if let Some(between) = between {
                    out.extend(between.into_iter().zip(from..x).map(|(c, gx)| (gx, y, c)));
                }
            }
        }
        out.push((x, y, cell));
    }
    out
}

impl<B: Backend> Backend for Frugal<B> {
    type Error = B::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let updates: Vec<(u16, u16, Cell)> = content.map(|(x, y, c)| (x, y, c.clone())).collect();
        let Some(shadow) = self.shadow.as_mut() else {
            return self.inner.draw(updates.iter().map(|(x, y, c)| (*x, *y, c)));
        };
        let out = filled(updates, shadow);
        for (x, y, cell) in &out {
            if let Some(kept) = shadow.cell_mut(Position::new(*x, *y)) {
                *kept = cell.clone();
            }
            // What a wide character covers is not known as a cell to step over.
            let width = u16::try_from(cell.symbol().width()).unwrap_or(u16::MAX);
            for covered in 1..width {
                if let Some(kept) = shadow.cell_mut(Position::new(x.saturating_add(covered), *y)) {
                    kept.set_symbol("");
                }
            }
        }
        self.inner.draw(out.iter().map(|(x, y, c)| (*x, *y, c)))
    }

    fn append_lines(&mut self, n: u16) -> Result<(), Self::Error> {
        self.shadow = None;
        self.inner.append_lines(n)
    }

    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.show_cursor()
    }

    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        self.inner.set_cursor_position(position)
    }

    fn clear(&mut self) -> Result<(), Self::Error> {
        self.inner.clear()?;
        self.shadow = Some(blank(self.inner.size()?));
        Ok(())
    }

    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        self.inner.clear_region(clear_type)?;
        // Only a whole clear leaves a screen known again.
        self.shadow = match clear_type {
            ClearType::All => Some(blank(self.inner.size()?)),
            _ => None,
        };
        Ok(())
    }

    fn size(&self) -> Result<Size, Self::Error> {
        self.inner.size()
    }

    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.inner.flush()
    }
}

/// Sequences written beside the cells (a bell, a notification) go straight through.
impl<B: Backend + io::Write> io::Write for Frugal<B> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.inner.write(bytes)
    }

    fn flush(&mut self) -> io::Result<()> {
        io::Write::flush(&mut self.inner)
    }
}

#[cfg(test)]
mod tests {
    use ratatui::style::{Color, Style};

    use super::*;

    fn screen(text: &[&str]) -> Buffer {
        let mut b = blank(Size::new(12, 2));
        for (y, line) in text.iter().enumerate() {
            b.set_string(0, u16::try_from(y).unwrap_or(0), line, Style::default());
        }
        b
    }

    fn cell(symbol: &str) -> Cell {
        let mut c = Cell::default();
        c.set_symbol(symbol);
        c
    }

    #[test]
    fn a_short_gap_of_unchanged_cells_is_written_instead_of_moved_over() {
        let shadow = screen(&["ab cd efgh", "xyz"]);
        let out = filled(vec![(1, 0, cell("B")), (4, 0, cell("D"))], &shadow);
        let written: String = out.iter().map(|(_, _, c)| c.symbol()).collect();
        let at: Vec<u16> = out.iter().map(|(x, _, _)| *x).collect();
        assert_eq!(written, "B cD");
        assert_eq!(at, [1, 2, 3, 4]);
    }

    #[test]
    fn gaps_across_lines_too_wide_or_in_another_style_are_moved_over() {
        let mut shadow = screen(&["abcdefghijk", "xyz"]);
        let far = filled(vec![(0, 0, cell("A")), (8, 0, cell("I"))], &shadow);
        assert_eq!(far.len(), 2, "a gap wider than a cursor move");
        let lines = filled(vec![(10, 0, cell("K")), (0, 1, cell("X"))], &shadow);
        assert_eq!(lines.len(), 2, "never across lines");
        shadow.set_style(Rect::new(2, 0, 1, 1), Style::default().fg(Color::Red));
        let styled = filled(vec![(1, 0, cell("B")), (3, 0, cell("D"))], &shadow);
        assert_eq!(styled.len(), 2, "filling would need a change of colour");
    }

    #[test]
    fn wide_characters_are_never_stepped_over_by_writing() {
        let shadow = screen(&["a界b", ""]);
        let out = filled(vec![(0, 0, cell("A")), (3, 0, cell("B"))], &shadow);
        assert_eq!(out.len(), 2);
    }
}
