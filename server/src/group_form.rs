//! A small group's phone forms without JavaScript: writing on the group's
//! board, an observer's private note, sharing it, proposing a card for the
//! room and agreeing to another member's proposal. One form address for
//! the five, told apart by the `do` field, read strictly like every form
//! (`forms.rs`); the room's rules (`room/rules/groups.rs`) decide who may.

use crate::forms::{act_as_participant, Back};
use crate::secrets;
use crate::state::AppState;
use crate::strict_form::StrictForm;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use hearth_core::error::ErrorCode;
use hearth_core::ids::{ActionId, CardId, StepId};
use hearth_core::marks::Tag;
use hearth_core::protocol::Action;
use hearth_core::reflection::ReflectionText;
use serde::Deserialize;

/// The fields of every small group form; each uses some.
#[derive(Deserialize)]
pub struct GroupForm {
    /// `write`, `note`, `share`, `propose` or `agree`.
    #[serde(default, rename = "do")]
    what: String,
    /// The page's form id (writing and noting), so a resent post is never
    /// stored twice; a fresh one is made when it is missing.
    #[serde(default)]
    id: String,
    #[serde(default)]
    step: String,
    #[serde(default)]
    text: String,
    /// A tag's number in `Tag::ALL` (a note).
    #[serde(default)]
    tag: String,
    #[serde(default)]
    card: String,
}

impl GroupForm {
    /// The action the form asks for, or what is wrong with it.
    fn action(&self) -> Result<Action, ErrorCode> {
        let step = || {
            self.step
                .trim()
                .parse()
                .map(StepId)
                .map_err(|_| ErrorCode::Malformed)
        };
        let card = || CardId::parse(self.card.trim()).map_err(|_| ErrorCode::Malformed);
        Ok(match self.what.as_str() {
            "write" => Action::GroupWrite {
                step: step()?,
                text: ReflectionText::parse(&self.text)?,
            },
            "note" => Action::GroupNote {
                step: step()?,
                tag: self
                    .tag
                    .trim()
                    .parse()
                    .ok()
                    .and_then(Tag::from_index)
                    .ok_or(ErrorCode::Malformed)?,
                text: match self.text.trim() {
                    "" => None,
                    text => Some(ReflectionText::parse(text)?),
                },
            },
            "share" => Action::GroupShare { card: card()? },
            "propose" => Action::GroupPropose { card: card()? },
            "agree" => Action::GroupAgree { card: card()? },
            _ => return Err(ErrorCode::Malformed),
        })
    }
}

/// Takes one small group action sent by a plain form, then shows the
/// phone its page again, saying what happened.
pub async fn group(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    StrictForm(form): StrictForm<GroupForm>,
) -> Response {
    let back = Back::to(&token, &headers);
    let Ok(form) = form else {
        return back.error(ErrorCode::Malformed);
    };
    let action = match form.action() {
        Ok(action) => action,
        Err(code) => return back.error(code),
    };
    let id = ActionId::parse(form.id.trim()).unwrap_or_else(|_| secrets::action_id());
    match act_as_participant(&state, &token, &headers, id, action).await {
        Ok(_) => back.done("group", "#group"),
        Err(response) => response,
    }
}
