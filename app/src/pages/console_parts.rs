//! The console's agenda: the steps in order, each one to go to, edit,
//! move or remove; a step of any kind added from the library; the agenda
//! kept as a template; and the editor for one step's words and settings.

use super::console::{Desk, Said};
use crate::i18n::{error_msg, use_i18n, Msg};
use crate::library::{default_step, kind_name, note, role_set_name};
use crate::step_form::StepForm;
use hearth_core::exercise::ExerciseKind;
use hearth_core::groups::RoleSet;
use hearth_core::ids::StepId;
use hearth_core::protocol::Action;
use hearth_core::words::Label;
use leptos::prelude::*;

/// The step being edited, if any.
#[derive(Clone, Copy)]
pub struct Editing(pub RwSignal<Option<(StepId, StepForm)>>);

#[component]
pub fn Agenda() -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let editing = expect_context::<Editing>().0;
    let g = desk.live.gathering;
    let steps = move || {
        let g = g.read();
        let n = g.steps.len();
        g.steps
            .iter()
            .enumerate()
            .map(|(i, s)| (i, n, s.clone(), s.id == g.current))
            .collect::<Vec<_>>()
    };
    let adding = RwSignal::new(ExerciseKind::Board);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let g = g.read_untracked();
        let at = g.position(g.current).map_or(g.steps.len(), |i| i + 1) as u32;
        let spec = default_step(adding.get_untracked(), i18n.0);
        desk.act(Action::AddStep { at, spec });
    };
    let template = RwSignal::new(String::new());
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match Label::parse(&template.get_untracked()) {
            Ok(name) => {
                desk.act_then(
                    Action::SaveTemplate { name },
                    Some(Msg::ConsoleTemplateSaved),
                );
                template.set(String::new());
            }
            Err(e) => desk.said.set(Some(Said::Problem(error_msg(e.into())))),
        }
    };
    view! {
        <section class="panel agenda-panel" aria-labelledby="agenda-title">
            <h2 id="agenda-title">{i18n.t(Msg::ConsoleAgenda)}</h2>
            <ol class="agenda">
                <For each=steps key=|(i, n, s, now)| (*i, *n, s.clone(), *now) let((i, n, s, now))>
                    {
                        let id = s.id;
                        let kind = s.exercise.kind();
                        let spec = s.spec();
                        view! {
                            <li class="agenda-step" class:now=now aria-current=now.then_some("step")>
                                <p class="eyebrow">{i18n.t(kind_name(kind))}</p>
                                <p class="agenda-prompt">{s.prompt.to_string()}</p>
                                <div class="controls">
                                    {if now {
                                        view! { <span class="badge">{i18n.t(Msg::ConsoleNow)}</span> }.into_any()
                                    } else {
                                        view! {
                                            <button class="quiet" on:click=move |_| desk.act(Action::GoTo { step: id })>
                                                {i18n.t(Msg::ConsoleGoTo)}
                                            </button>
                                        }
                                        .into_any()
                                    }}
                                    <button class="quiet" on:click=move |_| editing.set(Some((id, StepForm::from_spec(&spec))))>
                                        {i18n.t(Msg::ConsoleEdit)}
                                    </button>
                                    <button class="quiet" disabled={i == 0} aria-label=i18n.t(Msg::ConsoleMoveUp)
                                        on:click=move |_| desk.act(Action::MoveStep { step: id, to: i.saturating_sub(1) as u32 })>
                                        "↑"
                                    </button>
                                    <button class="quiet" disabled={i + 1 == n} aria-label=i18n.t(Msg::ConsoleMoveDown)
                                        on:click=move |_| desk.act(Action::MoveStep { step: id, to: (i + 1) as u32 })>
                                        "↓"
                                    </button>
                                    <button class="quiet" disabled={n == 1} on:click=move |_| desk.act(Action::RemoveStep { step: id })>
                                        {i18n.t(Msg::ConsoleRemove)}
                                    </button>
                                </div>
                            </li>
                        }
                    }
                </For>
            </ol>
            <form class="inline" on:submit=add>
                <label for="add-kind">{i18n.t(Msg::ConsoleAddFromLibrary)}</label>
                <select
                    id="add-kind"
                    on:change=move |ev| {
                        let slug = event_target_value(&ev);
                        if let Some(kind) = ExerciseKind::ALL.into_iter().find(|k| k.slug() == slug) {
                            adding.set(kind);
                        }
                    }
                >
                    {ExerciseKind::ALL
                        .into_iter()
                        .map(|k| view! { <option value=k.slug() selected=move || adding.get() == k>{i18n.t(kind_name(k))}</option> })
                        .collect_view()}
                </select>
                <button type="submit">{i18n.t(Msg::ConsoleAdd)}</button>
            </form>
            <p class="hint">{move || i18n.t(note(adding.get()))}</p>
            <form class="inline" on:submit=save>
                <label for="template-name">{i18n.t(Msg::ConsoleTemplateName)}</label>
                <input
                    id="template-name"
                    maxlength="60"
                    prop:value=move || template.get()
                    on:input=move |ev| template.set(event_target_value(&ev))
                />
                <button type="submit">{i18n.t(Msg::ConsoleTemplate)}</button>
            </form>
        </section>
    }
    .into_any()
}

/// The editor for one step: its prompt and its kind's settings, checked
/// here with the server's rules before anything is sent.
#[component]
pub fn StepEditor() -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let editing = expect_context::<Editing>().0;
    move || {
        let (step, form) = editing.get()?;
        let kind = form.kind?;
        let draft = RwSignal::new(form);
        let problem = RwSignal::new(None::<Msg>);
        let field = move |label: Msg,
                          id: &'static str,
                          get: fn(&StepForm) -> String,
                          set: fn(&mut StepForm, String),
                          rows: Option<u32>| {
            let input = match rows {
                Some(rows) => view! {
                    <textarea id=id rows=rows prop:value=move || get(&draft.read()) on:input=move |ev| draft.update(|d| set(d, event_target_value(&ev)))></textarea>
                }.into_any(),
                None => view! {
                    <input id=id prop:value=move || get(&draft.read()) on:input=move |ev| draft.update(|d| set(d, event_target_value(&ev)))/>
                }.into_any(),
            };
            view! { <label for=id>{i18n.t(label)}</label> {input} }
        };
        let save = move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            match draft.get_untracked().to_spec() {
                Ok(spec) => {
                    problem.set(None);
                    desk.act_then(Action::EditStep { step, spec }, Some(Msg::ConsoleSaved));
                    editing.set(None);
                }
                Err(code) => problem.set(Some(error_msg(code))),
            }
        };
        let settings = match kind {
            ExerciseKind::Board => field(Msg::ConsoleColumnsField, "edit-columns", |d| d.columns.clone(), |d, v| d.columns = v, Some(4)).into_any(),
            ExerciseKind::Reframe => ().into_any(),
            ExerciseKind::Spectrum => view! {
                {field(Msg::ConsoleLeftPole, "edit-left", |d| d.left.clone(), |d, v| d.left = v, None)}
                {field(Msg::ConsoleRightPole, "edit-right", |d| d.right.clone(), |d, v| d.right = v, None)}
            }.into_any(),
            ExerciseKind::Scenario => field(Msg::ConsoleLinesField, "edit-lines", |d| d.lines.clone(), |d, v| d.lines = v, Some(10)).into_any(),
            ExerciseKind::MovingTowards => field(Msg::ConsoleBudgetField, "edit-budget", |d| d.budget.clone(), |d, v| d.budget = v, None).into_any(),
            ExerciseKind::GiveReceive => view! {
                {field(Msg::ConsoleOfferField, "edit-left", |d| d.left.clone(), |d, v| d.left = v, None)}
                {field(Msg::ConsoleLearnField, "edit-right", |d| d.right.clone(), |d, v| d.right = v, None)}
            }.into_any(),
            ExerciseKind::Statements => view! {
                <label class="check">
                    <input type="checkbox" id="edit-pre-screen" prop:checked=move || draft.read().pre_screen on:change=move |ev| draft.update(|d| d.pre_screen = event_target_checked(&ev))/>
                    {i18n.t(Msg::ConsolePreScreenField)}
                </label>
                {field(Msg::ConsoleSeedsField, "edit-seeds", |d| d.seeds.clone(), |d, v| d.seeds = v, Some(4))}
            }.into_any(),
            ExerciseKind::SmallGroups => view! {
                {field(Msg::ConsoleGroupSize, "edit-group-size", |d| d.group_size.clone(), |d, v| d.group_size = v, None)}
                {field(Msg::ConsoleGroupRounds, "edit-rounds", |d| d.rounds.clone(), |d, v| d.rounds = v, None)}
                {field(Msg::ConsoleGroupMinutes, "edit-minutes", |d| d.minutes.clone(), |d, v| d.minutes = v, None)}
                <label for="edit-roles">{i18n.t(Msg::ConsoleGroupRoles)}</label>
                <select id="edit-roles" prop:value=move || draft.read().roles.clone() on:change=move |ev| draft.update(|d| d.roles = event_target_value(&ev))>
                    {RoleSet::ALL.into_iter().map(|set| view! {
                        <option value=set.slug()>{i18n.t(role_set_name(set))}</option>
                    }).collect_view()}
                </select>
                {field(Msg::ConsoleGroupPrompts, "edit-round-prompts", |d| d.round_prompts.clone(), |d, v| d.round_prompts = v, Some(4))}
                <label class="check">
                    <input type="checkbox" id="edit-show-sign" prop:checked=move || draft.read().show_sign on:change=move |ev| draft.update(|d| d.show_sign = event_target_checked(&ev))/>
                    {i18n.t(Msg::ConsoleGroupShowSign)}
                </label>
            }.into_any(),
            ExerciseKind::Map => {
                let scale = move |id: &'static str, get: fn(&StepForm) -> bool, set: fn(&mut StepForm, bool)| view! {
                    <label class="check">
                        <input type="checkbox" id=id prop:checked=move || get(&draft.read()) on:change=move |ev| draft.update(|d| set(d, event_target_checked(&ev)))/>
                        {i18n.t(Msg::ConsoleAxisIsScale)}
                    </label>
                };
                view! {
                    {field(Msg::ConsoleAxisAcross, "edit-across", |d| d.across.clone(), |d, v| d.across = v, Some(6))}
                    {scale("edit-across-scale", |d| d.across_scale, |d, v| d.across_scale = v)}
                    {field(Msg::ConsoleAxisUp, "edit-up", |d| d.up.clone(), |d, v| d.up = v, Some(4))}
                    {scale("edit-up-scale", |d| d.up_scale, |d, v| d.up_scale = v)}
                }.into_any()
            }
        };
        Some(view! {
            <section class="panel editor" aria-labelledby="editor-title">
                <h2 id="editor-title">{i18n.t(Msg::ConsoleEditStep)} " · " {i18n.t(kind_name(kind))}</h2>
                <form class="stack" on:submit=save>
                    {field(Msg::ConsolePromptField, "edit-prompt", |d| d.prompt.clone(), |d, v| d.prompt = v, Some(3))}
                    {settings}
                    {move || problem.get().map(|m| view! { <p class="problem" role="alert">{i18n.t(m)}</p> })}
                    <div class="actions">
                        <button type="submit" class="primary">{i18n.t(Msg::ConsoleSave)}</button>
                        <button type="button" on:click=move |_| editing.set(None)>{i18n.t(Msg::ConsoleCancel)}</button>
                    </div>
                </form>
            </section>
        })
    }
}
