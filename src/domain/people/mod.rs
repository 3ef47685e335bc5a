//! The pure matching core of the person index (R-PERSON-1, R-PERSON-2): a person as matching
//! sees one, the normal forms of names, phones and addresses, the blocking keys that decide
//! which pairs of records are compared at all, and the field-by-field score that proposes a
//! band for a pair. Matching only proposes; the practitioner decides (R-PERSON-2).

pub mod blocking;
pub mod digest;
pub mod mentions;
pub mod model;
pub mod normalise;
pub mod score;

pub use blocking::{identifiers, keys};
pub use digest::{digest, undigest};
pub use mentions::{Mention, MentionRef, Role, mentions};
pub use model::{Address, Dob, PersonRecord, Sex};
pub use score::{
    Band, Cap, Explanation, Field, FieldReason, Identifiers, MatchWeights, Reason, Seen, bound,
    compare,
};
