//! The page a participant lands on after posting without JavaScript:
//! proof that their reflection is stored, and the way back.

use super::{param, query};
use crate::api::load_participant;
use crate::i18n::{use_i18n, Msg};
use crate::widgets::PageProblem;
use leptos::prelude::*;

#[component]
pub fn ReceivedPage() -> impl IntoView {
    let i18n = use_i18n();
    let token = param("token");
    let card = query("card");
    view! {
        <Suspense>
            {move || {
                let token = token.clone();
                let card = card.clone();
                Suspend::new(async move {
                    match load_participant(token.clone()).await {
                        Ok(page) => {
                            let text = page
                                .mine
                                .iter()
                                .find(|c| Some(c.id.as_str()) == card.as_deref())
                                .map(|c| c.text.clone());
                            view! {
                                <main id="main" class="page narrow received">
                                    <h1>{i18n.t(Msg::ReceivedTitle)}</h1>
                                    {text.map(|t| view! { <blockquote class="own-card">{t}</blockquote> })}
                                    <p>{i18n.t(Msg::ReceivedBody)}</p>
                                    <p><a class="button primary" href=format!("/p/{token}")>{i18n.t(Msg::ReceivedBack)}</a></p>
                                </main>
                            }
                            .into_any()
                        }
                        Err(error) => view! { <PageProblem error/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
