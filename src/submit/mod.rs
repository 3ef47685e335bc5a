//! Submissions (R-SUBMIT) on their way out: the transports that deliver them.
pub mod transport;
