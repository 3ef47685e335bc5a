//! The help overlay's model.

use crate::tui::mode::Mode;

#[derive(Debug, Clone, Default)]
pub struct Help {
    /// The first line of the key list shown, when it is longer than the screen.
    pub offset: usize,
    /// The screen the help or the palette was opened over, to go back to; the panes when
    /// none.
    pub back: Option<Mode>,
}

impl Help {
    /// Where closing the help or the palette goes.
    pub fn leave(&mut self) -> Mode {
        self.back.take().unwrap_or(Mode::Normal)
    }
}
