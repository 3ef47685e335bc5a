//! Untrusted text from the server, made safe for a terminal: control characters that could
//! move the cursor, change colours, set the window title or reorder text are removed, and
//! what remains is NFC-normalised so that equal text compares and lays out equally.

use serde_json::{Map, Value};
use unicode_normalization::UnicodeNormalization;

/// Characters that never reach the terminal: C0 controls other than newline and tab, DEL,
/// C1 controls, and the bidirectional formatting controls (embeddings, overrides,
/// isolates, marks).
pub fn is_forbidden(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}'
        | '\u{b}'..='\u{1f}'
        | '\u{7f}'
        | '\u{80}'..='\u{9f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{61c}')
}

/// `text` without forbidden characters, in NFC.
pub fn clean(text: &str) -> String {
    if text.chars().all(|c| c.is_ascii() && !is_forbidden(c)) {
        // Plain ASCII without controls is already clean and normalised.
        return text.to_string();
    }
    text.chars().filter(|c| !is_forbidden(*c)).nfc().collect()
}

/// Every string in `value` cleaned, object keys included.
pub fn clean_value(value: Value) -> Value {
    match value {
        Value::String(s) => Value::String(clean(&s)),
        Value::Array(items) => Value::Array(items.into_iter().map(clean_value).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (clean(&k), clean_value(v)))
                .collect::<Map<String, Value>>(),
        ),
        other => other,
    }
}
