//! The app: the screens' models together with what they share, `update`, which hands each
//! message to the screen it concerns and does what screens ask of it, and `view`, which
//! lays the screens out.

mod attention;
mod keys;
mod linear;
mod perform;
mod resume;
mod state;
mod status;
mod update;
mod view;

pub use attention::{Alert, Attention};
pub use resume::{restore, snapshot};
pub use state::State;
pub use update::update;
pub use update::watch;
pub use view::{MIN_SIZE, view};
