//! Keys to actions: the registry's defaults, with the user's overrides from the config
//! (`[keys] move_down = ["j", "down"]`).

use std::collections::{BTreeMap, HashMap};

use super::action::{Action, ActionDef, Key, REGISTRY, Scope, by_name, parse_key};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeymapError {
    #[error("[keys] {0}: no such action (see the help screen, `?`, for their names)")]
    UnknownAction(String),
    #[error("[keys] {action}: {problem}")]
    BadKey { action: String, problem: String },
    #[error("[keys] {key:?} is given to both {first} and {second}")]
    Clash {
        key: String,
        first: String,
        second: String,
    },
}

#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: HashMap<Key, Vec<(Action, Scope)>>,
    /// The keys of each action, as written, for help and hints.
    names: HashMap<Action, Vec<String>>,
}

fn overlaps(a: Scope, b: Scope) -> bool {
    a == b || a == Scope::Everywhere || b == Scope::Everywhere
}

impl Keymap {
    /// The defaults with `overrides` (action name → keys) in place of an action's keys.
    pub fn new(overrides: &BTreeMap<String, Vec<String>>) -> Result<Keymap, KeymapError> {
        for name in overrides.keys() {
            if by_name(name).is_none() {
                return Err(KeymapError::UnknownAction(name.clone()));
            }
        }
        let mut bindings: HashMap<Key, Vec<(Action, Scope)>> = HashMap::new();
        let mut names = HashMap::new();
        // A key may serve one action in the queue and another in the record.
        let mut owners: HashMap<Key, Vec<&ActionDef>> = HashMap::new();
        for def in REGISTRY {
            let keys: Vec<String> = match overrides.get(def.name) {
                Some(keys) => keys.clone(),
                None => def.keys.iter().map(|k| k.to_string()).collect(),
            };
            for text in &keys {
                let key = parse_key(text).map_err(|e| KeymapError::BadKey {
                    action: def.name.to_string(),
                    problem: e.to_string(),
                })?;
                let sharing = owners.entry(key).or_default();
                if let Some(other) = sharing.iter().find(|o| overlaps(o.scope, def.scope)) {
                    return Err(KeymapError::Clash {
                        key: text.clone(),
                        first: other.name.to_string(),
                        second: def.name.to_string(),
                    });
                }
                sharing.push(def);
                bindings
                    .entry(key)
                    .or_default()
                    .push((def.action, def.scope));
            }
            names.insert(def.action, keys);
        }
        Ok(Keymap { bindings, names })
    }

    /// The action a key means where the user is.
    pub fn action(&self, key: Key, here: Scope) -> Option<Action> {
        self.bindings.get(&key).and_then(|actions| {
            actions
                .iter()
                .find(|(_, scope)| *scope == Scope::Everywhere || *scope == here)
                .map(|(action, _)| *action)
        })
    }

    /// The keys of an action as the user would type them, e.g. `j/down`.
    pub fn keys_of(&self, action: Action) -> String {
        self.names
            .get(&action)
            .map(|keys| keys.join("/"))
            .unwrap_or_default()
    }
}

impl Default for Keymap {
    fn default() -> Keymap {
        // The registry's own keys never clash; a test holds this.
        Keymap::new(&BTreeMap::new()).unwrap_or(Keymap {
            bindings: HashMap::new(),
            names: HashMap::new(),
        })
    }
}
