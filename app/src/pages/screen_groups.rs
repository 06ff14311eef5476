//! What the shared screen shows of a small groups step: how to find your
//! group, the round and the change of roles ("Round 2 of 3: swap roles"),
//! the round's own prompt, and how many groups have brought something
//! back. Counts only, large enough for the back row: nothing a group
//! writes reaches the screen unless the group brings it back.

use crate::i18n::{use_i18n, Msg};
use hearth_core::exercise::Exercise;
use hearth_core::gathering::{GatheringView, StepView};
use leptos::prelude::*;

#[component]
pub fn ScreenGroups(
    gathering: RwSignal<GatheringView>,
    step: Memo<Option<StepView>>,
) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let step = step.get()?;
        let Exercise::SmallGroups { rounds, .. } = &step.exercise else {
            return None;
        };
        let rounds = *rounds;
        let shown = gathering.read().groups.filter(|s| s.step == step.id.0)?;
        let round = match (shown.back, shown.round) {
            (true, _) => i18n.t(Msg::ScreenGroupsBack).to_owned(),
            (false, 0) => i18n.t(Msg::ScreenGroupsFind).to_owned(),
            (false, r) => i18n.fill(
                if r > 1 {
                    Msg::GroupSwapRoles
                } else {
                    Msg::GroupRoundOf
                },
                &[("round", &r.to_string()), ("rounds", &rounds.to_string())],
            ),
        };
        let prompt = (!shown.back)
            .then(|| {
                step.exercise
                    .round_prompt(shown.round)
                    .map(|p| p.to_string())
            })
            .flatten();
        Some(view! {
            <div class="screen-groups" data-testid="screen-groups">
                <p class="screen-round">{round}</p>
                {prompt.map(|p| view! { <p class="screen-round-prompt">{p}</p> })}
                <p class="screen-groups-count">
                    {i18n.plural(Msg::ScreenGroupsCount, shown.groups as usize)}
                    " · "
                    <span data-testid="groups-brought">{i18n.plural(Msg::ScreenGroupsBrought, shown.brought as usize)}</span>
                </p>
            </div>
        })
    }
}
