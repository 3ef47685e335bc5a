//! Forms for a new incident (with the scope questions of R-SCOPE and the classification of
//! R-TYPE / R-IMPACT) and a new intake report, the classification of an intake report and
//! a learning action on an incident. A server refusal is shown beside the field it names,
//! with its rule. Beside a new record's client, child or parent, who matching proposes they
//! may already be; one chosen as the same person is merged once the record exists
//! (R-PERSON-1, R-PERSON-2).

mod new;
mod same;
mod state;
mod submit;
mod update;
mod view;

pub use state::{Answer, Chosen, Field, Form, FormKind, Input, Sought};
pub use update::{key, landed, on_candidates, refused};
pub use view::{draw, linear_lines};
