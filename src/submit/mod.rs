//! Submissions (R-SUBMIT) on their way out: the transports that deliver them, and the
//! worker that leases, sends and records their answers.
pub mod transport;
pub mod worker;
