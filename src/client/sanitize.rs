//! Untrusted text from the server, made safe for a terminal: control characters that could
//! move the cursor, change colours, set the window title or reorder text are removed, so are
//! the characters that join others into one glyph of a width terminals disagree on, and
//! what remains is NFC-normalised so that equal text compares and lays out equally.

use serde_json::{Map, Value};
use unicode_normalization::UnicodeNormalization;

/// Characters that never reach the terminal: C0 controls other than newline and tab, DEL,
/// C1 controls, the bidirectional formatting controls (embeddings, overrides, isolates,
/// marks), and the emoji joiner, variation selectors and skin-tone modifiers.
///
/// The last group is removed because the app lays text out by grapheme (a joined family
/// emoji is one glyph two columns wide) while many terminals advance the cursor by code
/// point (the same family is eight columns): text containing them was drawn wider than
/// measured, and the excess was left on screen after the frame moved on. Without them each
/// emoji stands alone and has one width everywhere.
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
        | '\u{61c}'
        | '\u{200d}'
        | '\u{fe0e}'
        | '\u{fe0f}'
        | '\u{1f3fb}'..='\u{1f3ff}')
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
