//! People search (`P`): who a person may already be, in the records the user may see —
//! names with their similar spellings, a date of birth — each found person with its band
//! and the reasons, field by field; `enter` opens the person's timeline (R-PERSON-1,
//! R-PERSON-2).

mod query;
mod state;
mod update;
mod view;

pub use query::sought;
pub use state::PeopleScreen;
pub use update::{key, on_candidates, open};
pub use view::{draw, hints, linear_lines};
