//! The typed API client the terminal app speaks through (DESIGN §1, §5, §7): requests and
//! their errors, the change-feed consumer, offline writes, and where the token lives.
//! Every string that comes from the server is sanitised on the way in.

pub mod api;
pub mod drafts;
pub mod exports;
pub mod feed;
pub mod outbox;
pub mod resume;
pub mod sanitize;
pub mod session;

pub use api::{Client, ClientError, QueueRequest, new_idempotency_key};
pub use feed::{FeedHandle, FeedMsg};
pub use outbox::{Outbox, OutboxEntry, OutboxError, Replay};
