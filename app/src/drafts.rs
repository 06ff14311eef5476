//! Unsent words, kept on the phone.
//!
//! A participant's half-written reflection is saved in the browser's local
//! storage as they type, together with the action id it will be sent under.
//! If the phone sleeps, the tab is closed or the page reloads, the words come
//! back; and because the id comes back with them, sending again can never
//! store the reflection twice. Nothing here ever leaves the phone.

use crate::ids::ActionId;
use serde::{Deserialize, Serialize};

/// A reflection being written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub id: ActionId,
    pub text: String,
}

#[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
fn key(scope: &str) -> String {
    format!("hearth:draft:{scope}")
}

/// The saved draft for a gathering, if any.
pub fn load(scope: &str) -> Option<Draft> {
    #[cfg(feature = "hydrate")]
    {
        let storage = web_sys::window()?.local_storage().ok()??;
        let text = storage.get_item(&key(scope)).ok()??;
        serde_json::from_str(&text).ok()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = key(scope);
        None
    }
}

/// Saves a draft (or clears it when its text is empty).
pub fn save(scope: &str, draft: &Draft) {
    #[cfg(feature = "hydrate")]
    {
        if draft.text.is_empty() {
            clear(scope);
            return;
        }
        let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
        if let (Some(storage), Ok(text)) = (storage, serde_json::to_string(draft)) {
            // A full or private-mode storage only means no backup.
            let _ = storage.set_item(&key(scope), &text);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (scope, draft);
}

/// Forgets the draft once it is safely stored on the server.
pub fn clear(scope: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.remove_item(&key(scope));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = scope;
}
