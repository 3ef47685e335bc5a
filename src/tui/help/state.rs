//! The help overlay's model.

#[derive(Debug, Clone, Default)]
pub struct Help {
    /// The first line of the key list shown, when it is longer than the screen.
    pub offset: usize,
}
