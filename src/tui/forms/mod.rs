//! Forms for a new incident (with the scope questions of R-SCOPE and the classification of
//! R-TYPE / R-IMPACT) and a new intake report, the classification of an intake report and
//! a learning action on an incident. A server refusal is shown beside the field it names,
//! with its rule.

mod new;
mod state;
mod submit;
mod update;
mod view;

pub use state::{Field, Form, FormKind, Input};
pub use update::{key, landed, refused};
pub use view::{draw, linear_lines};
