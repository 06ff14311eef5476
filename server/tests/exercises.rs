//! Every exercise kind through the real server: a facilitator runs the
//! ready introduction agenda step by step while phones add, place, tag,
//! vote and resonate over real WebSockets; the screen sees only what it
//! may. Then agenda editing, templates, moderation, the timer, the
//! co-facilitator's link, and every bad input named and changing nothing.

use hearth_core::error::ErrorCode;
use hearth_core::exercise::{Exercise, Place};
use hearth_core::gathering::{GatheringView, StepSpec};
use hearth_core::ids::{CardId, StepId};
use hearth_core::marks::{Mark, Tag, SPECTRUM_BANDS};
use hearth_core::protocol::{Action, Moderation, Outcome};
use hearth_core::reflection::ReflectionText;
use hearth_core::timer::{Timer, TimerAction};
use hearth_core::words::{Label, Prompt};
use hearth_tests::{reflection_at, Client, Device, TestServer};

const BIN: &str = env!("CARGO_BIN_EXE_hearth");

/// The id of the step at `index` in the agenda.
fn step_at(view: &GatheringView, index: usize) -> StepId {
    view.steps[index].id
}

fn mark(mark: Mark) -> Action {
    Action::Mark { mark }
}

async fn phones(server: &TestServer, path: &str, n: usize) -> hearth_tests::Result<Vec<Client>> {
    let mut phones = Vec::new();
    for _ in 0..n {
        phones.push(server.connect(path, Some(&Device::new()), None).await?);
    }
    Ok(phones)
}

async fn go(console: &mut Client, step: StepId) -> hearth_tests::Result<()> {
    console.act(Action::GoTo { step }).await??;
    Ok(())
}

fn card_by_text(view: &GatheringView, text: &str) -> Option<CardId> {
    view.cards
        .iter()
        .find(|c| c.text == text)
        .map(|c| c.id.clone())
}

#[tokio::test]
async fn the_introduction_agenda_runs_every_kind() -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let g = server
        .create_gathering("Introduction", "introduction")
        .await?;
    let mut console = server.connect(&g.console_ws(), None, None).await?;
    let mut screen = server.connect(&g.screen_ws(), None, None).await?;
    let mut phones = phones(&server, &g.participant_ws(), 5).await?;
    let view = console.view.clone().ok_or("no view")?;
    let kinds: Vec<_> = view.steps.iter().map(|s| s.exercise.kind()).collect();
    assert_eq!(kinds.len(), 9);

    // 1. Board: cards, reveal, resonance as totals only.
    let board = step_at(&view, 0);
    for (i, phone) in phones.iter_mut().enumerate() {
        phone
            .add(board, &format!("Check-in {i}"), Place::Board)
            .await?;
    }
    assert_eq!(
        phones[0]
            .act(reflection_at(
                board,
                "in a column",
                Place::Column { column: 0 }
            ))
            .await?,
        Err(ErrorCode::WrongPlace)
    );
    console.act(Action::Reveal).await??;
    screen
        .wait_for("five cards", |v| v.cards.len() == 5)
        .await?;
    let first = screen
        .view
        .as_ref()
        .and_then(|v| card_by_text(v, "Check-in 0"))
        .ok_or("no card")?;
    for phone in phones.iter_mut().take(3) {
        phone
            .act(mark(Mark::Resonate {
                card: first.clone(),
                on: true,
            }))
            .await??;
    }
    // Resonating twice is still one resonance.
    phones[0]
        .act(mark(Mark::Resonate {
            card: first.clone(),
            on: true,
        }))
        .await??;
    screen
        .wait_for("three resonances", |v| v.totals_of(board).card(&first) == 3)
        .await?;
    assert_eq!(
        phones[0]
            .act(mark(Mark::Vote {
                card: first.clone(),
                dots: 1
            }))
            .await?,
        Err(ErrorCode::WrongPlace),
        "a board takes resonances, not dots"
    );

    // 2. Spectrum: hidden until three have placed themselves; never a point.
    let spectrum = step_at(&view, 1);
    assert_eq!(
        phones[0]
            .act(mark(Mark::Spectrum {
                step: spectrum,
                at: Some(10)
            }))
            .await?,
        Err(ErrorCode::StepNotOpen),
        "the room is not on that step yet"
    );
    go(&mut console, spectrum).await?;
    phones[0]
        .wait_for("the step change", |v| v.current == spectrum)
        .await?;
    assert_eq!(
        phones[0]
            .act(reflection_at(spectrum, "words", Place::Board))
            .await?,
        Err(ErrorCode::NoReflections)
    );
    assert_eq!(
        phones[0]
            .act(mark(Mark::Spectrum {
                step: spectrum,
                at: Some(101)
            }))
            .await?,
        Err(ErrorCode::BadSettings)
    );
    phones[0]
        .act(mark(Mark::Spectrum {
            step: spectrum,
            at: Some(5),
        }))
        .await??;
    phones[1]
        .act(mark(Mark::Spectrum {
            step: spectrum,
            at: Some(95),
        }))
        .await??;
    // Totals go out with the room's next flush; a spread of two would come
    // before the one of three, so the first spread seen must count three
    // (asserted below).
    screen.sync().await?;
    assert_eq!(
        screen
            .view
            .as_ref()
            .ok_or("no view")?
            .totals_of(spectrum)
            .spectrum,
        None,
        "two points would be two people"
    );
    phones[2]
        .act(mark(Mark::Spectrum {
            step: spectrum,
            at: Some(50),
        }))
        .await??;
    screen
        .wait_for("the spread", |v| v.totals_of(spectrum).spectrum.is_some())
        .await?;
    let bands = screen
        .view
        .as_ref()
        .and_then(|v| v.totals_of(spectrum).spectrum)
        .ok_or("no spread")?;
    assert_eq!(bands.len(), SPECTRUM_BANDS);
    assert_eq!(bands.iter().sum::<u32>(), 3);
    // Moving is one person still; the phone keeps its own point.
    phones[2]
        .act(mark(Mark::Spectrum {
            step: spectrum,
            at: Some(7),
        }))
        .await??;
    screen
        .wait_for("the move", |v| {
            v.totals_of(spectrum)
                .spectrum
                .as_ref()
                .is_some_and(|b| b[0] == 2)
        })
        .await?;

    // 3. Scenario: lines appear as the facilitator shows them; tags count.
    let scenario = step_at(&view, 2);
    go(&mut console, scenario).await?;
    phones[0]
        .wait_for("the scenario", |v| v.current == scenario)
        .await?;
    assert_eq!(
        phones[0]
            .act(mark(Mark::Tag {
                step: scenario,
                line: 0,
                tag: Some(Tag::Probing)
            }))
            .await?,
        Err(ErrorCode::UnknownLine),
        "no line is shown yet"
    );
    assert_eq!(
        console
            .act(Action::ShowLines {
                step: scenario,
                count: 9
            })
            .await?,
        Err(ErrorCode::UnknownLine)
    );
    console
        .act(Action::ShowLines {
            step: scenario,
            count: 4,
        })
        .await??;
    phones[0]
        .wait_for("four lines", |v| {
            v.step(scenario).is_some_and(|s| s.shown == 4)
        })
        .await?;
    for phone in phones.iter_mut().take(3) {
        phone
            .act(mark(Mark::Tag {
                step: scenario,
                line: 3,
                tag: Some(Tag::Probing),
            }))
            .await??;
    }
    phones[3]
        .act(mark(Mark::Tag {
            step: scenario,
            line: 1,
            tag: Some(Tag::Agenda),
        }))
        .await??;
    // Changing a tag moves it; taking it back removes it.
    phones[2]
        .act(mark(Mark::Tag {
            step: scenario,
            line: 3,
            tag: Some(Tag::Connection),
        }))
        .await??;
    phones[3]
        .act(mark(Mark::Tag {
            step: scenario,
            line: 1,
            tag: None,
        }))
        .await??;
    screen
        .wait_for("the heat", |v| {
            let t = v.totals_of(scenario);
            t.line(3)[Tag::Probing.index()] == 2
                && t.line(3)[Tag::Connection.index()] == 1
                && t.line(1) == [0; 7]
        })
        .await?;
    assert_eq!(
        phones[0]
            .act(mark(Mark::Tag {
                step: scenario,
                line: 4,
                tag: Some(Tag::Joking)
            }))
            .await?,
        Err(ErrorCode::UnknownLine)
    );

    // 4. Reframe: a story, then reframes under it after the reveal.
    let reframe = step_at(&view, 3);
    go(&mut console, reframe).await?;
    phones[0]
        .wait_for("the reframe step", |v| v.current == reframe)
        .await?;
    phones[0]
        .add(reframe, "I was called difficult.", Place::Board)
        .await?;
    assert_eq!(
        phones[1]
            .act(reflection_at(
                reframe,
                "under nothing",
                Place::Under {
                    card: CardId::from_random(7)
                }
            ))
            .await?,
        Err(ErrorCode::UnknownCard)
    );
    console.act(Action::Reveal).await??;
    screen
        .wait_for("the story", |v| {
            card_by_text(v, "I was called difficult.").is_some()
        })
        .await?;
    let story = screen
        .view
        .as_ref()
        .and_then(|v| card_by_text(v, "I was called difficult."))
        .ok_or("no story")?;
    phones[1]
        .add(
            reframe,
            "You said no when no was needed.",
            Place::Under {
                card: story.clone(),
            },
        )
        .await?;
    console.act(Action::Reveal).await??;
    screen
        .wait_for("the reframe", |v| {
            v.cards
                .iter()
                .any(|c| c.under() == Some(&story) && c.text == "You said no when no was needed.")
        })
        .await?;
    let reframe_card = screen
        .view
        .as_ref()
        .and_then(|v| card_by_text(v, "You said no when no was needed."))
        .ok_or("no reframe")?;
    assert_eq!(
        phones[2]
            .act(reflection_at(
                reframe,
                "a reframe of a reframe",
                Place::Under { card: reframe_card }
            ))
            .await?,
        Err(ErrorCode::UnknownCard),
        "reframes sit under stories"
    );

    // 5. Give and receive: two sides.
    let give = step_at(&view, 5);
    go(&mut console, give).await?;
    phones[0]
        .wait_for("give and receive", |v| v.current == give)
        .await?;
    phones[0]
        .add(give, "I can listen.", Place::Column { column: 0 })
        .await?;
    phones[0]
        .add(give, "How to ask for help.", Place::Column { column: 1 })
        .await?;
    assert_eq!(
        phones[1]
            .act(reflection_at(give, "nowhere", Place::Column { column: 2 }))
            .await?,
        Err(ErrorCode::WrongPlace)
    );
    console.act(Action::Reveal).await??;
    screen
        .wait_for("both sides", |v| {
            v.cards_of(give)
                .any(|c| c.place == Place::Column { column: 0 })
                && v.cards_of(give)
                    .any(|c| c.place == Place::Column { column: 1 })
        })
        .await?;

    // 6. Moving towards: away turned towards; dots within a budget of 3.
    let towards = step_at(&view, 6);
    go(&mut console, towards).await?;
    phones[0]
        .wait_for("moving towards", |v| v.current == towards)
        .await?;
    for (i, phone) in phones.iter_mut().enumerate().take(3) {
        let from = ReflectionText::parse(&format!("Avoiding conflict {i}"))?;
        phone
            .add(
                towards,
                &format!("Towards honest talk {i}"),
                Place::Toward { from: Some(from) },
            )
            .await?;
    }
    console
        .act(Action::SetCollecting {
            step: towards,
            open: false,
        })
        .await??;
    assert_eq!(
        phones[3]
            .act(reflection_at(towards, "late", Place::Toward { from: None }))
            .await?,
        Err(ErrorCode::NotCollecting)
    );
    console.act(Action::Reveal).await??;
    screen
        .wait_for("three statements", |v| v.cards_of(towards).count() == 3)
        .await?;
    let statements = screen.card_ids_of(towards);
    assert!(screen.view.as_ref().is_some_and(|v| v
        .cards_of(towards)
        .all(|c| matches!(&c.place, Place::Toward { from: Some(_) }))));
    // Voting works with collecting closed: it responds to revealed cards.
    phones[4]
        .act(mark(Mark::Vote {
            card: statements[0].clone(),
            dots: 2,
        }))
        .await??;
    phones[4]
        .act(mark(Mark::Vote {
            card: statements[1].clone(),
            dots: 1,
        }))
        .await??;
    assert_eq!(
        phones[4]
            .act(mark(Mark::Vote {
                card: statements[2].clone(),
                dots: 1
            }))
            .await?,
        Err(ErrorCode::OverBudget)
    );
    // Moving a dot: 2 → 1 on the first frees one for the third.
    phones[4]
        .act(mark(Mark::Vote {
            card: statements[0].clone(),
            dots: 1,
        }))
        .await??;
    phones[4]
        .act(mark(Mark::Vote {
            card: statements[2].clone(),
            dots: 1,
        }))
        .await??;
    phones[3]
        .act(mark(Mark::Vote {
            card: statements[0].clone(),
            dots: 3,
        }))
        .await??;
    screen
        .wait_for("the dots", |v| {
            let t = v.totals_of(towards);
            t.card(&statements[0]) == 4
                && t.card(&statements[1]) == 1
                && t.card(&statements[2]) == 1
        })
        .await?;
    // A phone that comes back sees its own marks, and nobody else's.
    let phone4_marks = {
        let again = server
            .connect(&g.participant_ws(), Some(&Device::new()), None)
            .await?;
        again.marks.clone()
    };
    assert!(phone4_marks.is_empty(), "a new phone has no marks");

    // 7. Back a step loses nothing.
    go(&mut console, give).await?;
    screen
        .wait_for("back on give and receive", |v| v.current == give)
        .await?;
    assert_eq!(
        screen.view.as_ref().map(|v| v.cards_of(give).count()),
        Some(2)
    );
    Ok(())
}

#[tokio::test]
async fn withdrawing_a_statement_takes_its_dots_and_words_everywhere() -> hearth_tests::Result<()> {
    let mut server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Withdraw", "introduction").await?;
    let mut console = server.connect(&g.console_ws(), None, None).await?;
    let mut screen = server.connect(&g.screen_ws(), None, None).await?;
    let author_device = Device::new();
    let mut author = server
        .connect(&g.participant_ws(), Some(&author_device), None)
        .await?;
    let mut voter = server
        .connect(&g.participant_ws(), Some(&Device::new()), None)
        .await?;
    let towards = step_at(console.view.as_ref().ok_or("no view")?, 6);
    go(&mut console, towards).await?;
    author
        .wait_for("the step", |v| v.current == towards)
        .await?;
    let card = author
        .add(towards, "Towards rest", Place::Toward { from: None })
        .await?;
    console.act(Action::Reveal).await??;
    voter
        .wait_for("the card", |v| v.card(&card).is_some())
        .await?;
    voter
        .act(mark(Mark::Vote {
            card: card.clone(),
            dots: 3,
        }))
        .await??;
    screen
        .wait_for("three dots", |v| v.totals_of(towards).card(&card) == 3)
        .await?;
    author
        .act(Action::Withdraw { card: card.clone() })
        .await??;
    screen
        .wait_for("the card gone", |v| v.card(&card).is_none())
        .await?;
    // Overwritten on disk: neither the database nor its log keeps the words.
    assert!(!hearth_tests::contains_bytes(
        &server.stored_bytes().await?,
        b"Towards rest"
    ));
    // The voter's dots came back to them.
    voter
        .wait_for("the card gone", |v| v.card(&card).is_none())
        .await?;
    let other = author
        .add(towards, "Towards play", Place::Toward { from: None })
        .await?;
    console.act(Action::Reveal).await??;
    voter
        .wait_for("the new card", |v| v.card(&other).is_some())
        .await?;
    voter
        .act(mark(Mark::Vote {
            card: other.clone(),
            dots: 3,
        }))
        .await??;
    let fresh = server.connect(&g.screen_ws(), None, None).await?;
    assert!(!fresh.card_texts().iter().any(|t| t == "Towards rest"));

    // Ending drops every device hash; the totals stay, across a restart.
    console.act(Action::End).await??;
    let store = server.store();
    let count = |sql: &'static str| store.count(sql, &[]);
    assert_eq!(count("SELECT COUNT(*) FROM participants").await?, 0);
    assert_eq!(
        count("SELECT COUNT(*) FROM cards WHERE author != ''").await?,
        0
    );
    assert_eq!(count("SELECT COUNT(*) FROM marks").await?, 1);
    server.restart().await?;
    let after = server.connect(&g.screen_ws(), None, None).await?;
    assert_eq!(
        after
            .view
            .as_ref()
            .map(|v| v.totals_of(towards).card(&other)),
        Some(3)
    );
    Ok(())
}

#[tokio::test]
async fn the_facilitator_edits_the_agenda_and_keeps_it_as_a_template() -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Agenda", "blank").await?;
    let mut console = server.connect(&g.console_ws(), None, None).await?;
    let mut phone = server
        .connect(&g.participant_ws(), Some(&Device::new()), None)
        .await?;
    let first = step_at(console.view.as_ref().ok_or("no view")?, 0);
    let spectrum = StepSpec {
        prompt: Prompt::parse("Where are you?")?,
        exercise: Exercise::Spectrum {
            left: Label::parse("Alone")?,
            right: Label::parse("Together")?,
        },
    };
    console
        .act(Action::AddStep {
            at: 9,
            spec: spectrum.clone(),
        })
        .await??;
    console
        .act(Action::AddStep {
            at: 0,
            spec: StepSpec {
                prompt: Prompt::parse("Opening")?,
                exercise: Exercise::Reframe,
            },
        })
        .await??;
    // An answer comes before the event it caused: wait for the event.
    console
        .wait_for("three steps", |v| v.steps.len() == 3)
        .await?;
    let view = console.view.clone().ok_or("no view")?;
    let prompts: Vec<_> = view.steps.iter().map(|s| s.prompt.to_string()).collect();
    assert_eq!(
        prompts,
        [
            "Opening",
            "What's bringing you here today?",
            "Where are you?"
        ]
    );
    assert_eq!(
        view.current, first,
        "adding steps keeps the room where it is"
    );
    let opening = step_at(&view, 0);
    let added = step_at(&view, 2);
    console
        .act(Action::MoveStep {
            step: opening,
            to: 2,
        })
        .await??;
    // Rewording is always possible; reshaping only while nothing is in it.
    phone
        .add(first, "Here for the company.", Place::Board)
        .await?;
    console
        .act(Action::EditStep {
            step: first,
            spec: StepSpec {
                prompt: Prompt::parse("What brings you?")?,
                exercise: Exercise::Board { columns: vec![] },
            },
        })
        .await??;
    assert_eq!(
        console
            .act(Action::EditStep {
                step: first,
                spec: StepSpec {
                    prompt: Prompt::parse("What brings you?")?,
                    exercise: Exercise::Reframe,
                },
            })
            .await?,
        Err(ErrorCode::StepInUse)
    );
    assert_eq!(
        console.act(Action::RemoveStep { step: first }).await?,
        Err(ErrorCode::StepInUse)
    );
    // A prompt over its limit, a label missing, a scenario with no lines.
    let too_long = format!(
        r#"{{"type":"act","id":"toolongprompt1","action":{{"kind":"edit_step","step":{},"spec":{{"prompt":"{}","exercise":{{"kind":"reframe"}}}}}}}}"#,
        added.0,
        "p".repeat(301)
    );
    console.send_text(&too_long).await?;
    let id = hearth_core::ids::ActionId::parse("toolongprompt1")?;
    assert_eq!(console.answer(&id).await?, Err(ErrorCode::WordsTooLong));
    assert_eq!(
        console
            .act(Action::AddStep {
                at: 0,
                spec: StepSpec {
                    prompt: Prompt::parse("Empty")?,
                    exercise: Exercise::Scenario { lines: vec![] },
                },
            })
            .await?,
        Err(ErrorCode::BadSettings)
    );
    console.act(Action::RemoveStep { step: added }).await??;
    console
        .wait_for("two steps", |v| v.steps.len() == 2)
        .await?;
    let view = console.view.clone().ok_or("no view")?;
    let prompts: Vec<_> = view.steps.iter().map(|s| s.prompt.to_string()).collect();
    assert_eq!(prompts, ["What brings you?", "Opening"]);
    phone
        .wait_for("the same agenda", |v| v.steps.len() == 2)
        .await?;

    let saved = server.save_template(&mut console, "Our Tuesday").await?;
    assert_eq!(saved.steps, 2);
    let again = server
        .create_gathering("From the template", &format!("template:{}", saved.id))
        .await?;
    let prompts: Vec<_> = again
        .page
        .gathering
        .steps
        .iter()
        .map(|s| s.prompt.to_string())
        .collect();
    assert_eq!(prompts, ["What brings you?", "Opening"]);
    assert!(
        again.page.gathering.cards.is_empty(),
        "a template carries no one's words"
    );
    let unknown = server.get("/start", None).await?;
    assert!(unknown.status().is_success());
    Ok(())
}

/// Confirms deleting a template, as the start page's form does; returns
/// where the server sends the browser.
async fn delete_template(
    server: &TestServer,
    id: &str,
    passphrase: &str,
) -> hearth_tests::Result<String> {
    let form = [("template", id), ("passphrase", passphrase)];
    let response = server.post_form("/start/template/delete", &form).await?;
    Ok(hearth_tests::redirect_target(&response).unwrap_or_default())
}

#[tokio::test]
async fn a_template_is_deleted_from_the_start_page_after_asking() -> hearth_tests::Result<()> {
    // An instance with an organiser passphrase asks for it here too.
    let passphrase = "kettle on the hob";
    let server = TestServer::start_with(BIN, &["--organiser-passphrase", passphrase]).await?;
    let g = server
        .create_gathering_with_passphrase("Thursday", "introduction", passphrase)
        .await?;
    let mut console = server.connect(&g.console_ws(), None, None).await?;
    let id = server.save_template(&mut console, "Our Thursday").await?.id;
    let from_it = server
        .create_gathering_with_passphrase("From it", &format!("template:{id}"), passphrase)
        .await?;

    // The delete link asks first, with the passphrase field.
    let asking = server
        .get(&format!("/start?delete={id}"), None)
        .await?
        .text()
        .await?;
    assert!(
        asking.contains("Delete the template “Our Thursday”?"),
        "{asking}"
    );
    assert!(asking.contains(r#"id="delete-passphrase""#));
    let unknown = server
        .get("/start?delete=nothing-here", None)
        .await?
        .text()
        .await?;
    assert!(
        !unknown.contains("delete-template-title"),
        "no question about a template that is not there"
    );

    // A wrong passphrase deletes nothing.
    assert_eq!(
        delete_template(&server, &id, "kettle on the stove").await?,
        "/start?error=passphrase"
    );
    assert_eq!(server.templates().await?.len(), 1);

    assert_eq!(
        delete_template(&server, &id, passphrase).await?,
        "/start?notice=template_deleted"
    );
    assert!(server.templates().await?.is_empty());
    let told = server
        .get("/start?notice=template_deleted", None)
        .await?
        .text()
        .await?;
    assert!(told.contains("The template is deleted."));
    assert_eq!(
        delete_template(&server, &id, passphrase).await?,
        "/start?notice=template_gone"
    );
    let starting = server
        .post_form(
            "/start",
            &[
                ("name", "Late"),
                ("agenda", &format!("template:{id}")),
                ("passphrase", passphrase),
            ],
        )
        .await?;
    assert_eq!(
        hearth_tests::redirect_target(&starting).as_deref(),
        Some("/start?error=agenda")
    );

    // A gathering started from it keeps its own agenda.
    let kept: hearth_core::page::ConsolePage = server
        .api("console", &[("secret", &from_it.console_secret)], None)
        .await?;
    assert_eq!(kept.gathering.steps.len(), g.page.gathering.steps.len());
    Ok(())
}

#[tokio::test]
async fn hidden_cards_leave_the_room_and_come_back_only_when_shown() -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Moderation", "blank").await?;
    let mut console = server.connect(&g.console_ws(), None, None).await?;
    let mut phone = server
        .connect(&g.participant_ws(), Some(&Device::new()), None)
        .await?;
    let step = step_at(console.view.as_ref().ok_or("no view")?, 0);
    let hard = phone
        .add(step, "A name that should not be here", Place::Board)
        .await?;
    let tender = match phone
        .act(Action::AddReflection {
            step,
            text: ReflectionText::parse("Something tender")?,
            place: Place::Board,
            sensitive: true,
        })
        .await??
    {
        Outcome::Added { card } => card.id,
        other => return Err(format!("expected a card, got {other:?}").into()),
    };
    console.act(Action::Reveal).await??;
    let mut screen = server.connect(&g.screen_ws(), None, None).await?;
    assert!(screen
        .view
        .as_ref()
        .and_then(|v| v.card(&tender))
        .is_some_and(|c| c.blurred));
    console
        .act(Action::Moderate {
            card: hard.clone(),
            change: Moderation::Hide,
        })
        .await??;
    screen
        .wait_for("hidden", |v| v.card(&hard).is_some_and(|c| c.hidden))
        .await?;
    // Whoever connects now never receives the words.
    for path in [g.screen_ws(), g.participant_ws()] {
        let fresh = server.connect(&path, Some(&Device::new()), None).await?;
        assert!(!fresh.card_texts().iter().any(|t| t.contains("should not")));
    }
    let html = server
        .get(&format!("/screen/{}", g.screen_secret), None)
        .await?
        .text()
        .await?;
    assert!(!html.contains("should not be here"));
    // The facilitator still sees it, to show it again.
    let fresh_console = server.connect(&g.console_ws(), None, None).await?;
    assert!(fresh_console
        .card_texts()
        .iter()
        .any(|t| t.contains("should not")));
    console
        .act(Action::Moderate {
            card: hard.clone(),
            change: Moderation::Unhide,
        })
        .await??;
    let mut late = server.connect(&g.screen_ws(), None, None).await?;
    late.wait_for("shown again", |v| {
        v.card(&hard)
            .is_some_and(|c| !c.hidden && !c.text.is_empty())
    })
    .await?;
    screen
        .wait_for("shown again", |v| {
            v.card(&hard)
                .is_some_and(|c| !c.hidden && !c.text.is_empty())
        })
        .await?;
    console
        .act(Action::Moderate {
            card: tender.clone(),
            change: Moderation::Unblur,
        })
        .await??;
    screen
        .wait_for("unblurred", |v| v.card(&tender).is_some_and(|c| !c.blurred))
        .await?;
    assert_eq!(
        console
            .act(Action::Moderate {
                card: CardId::from_random(3),
                change: Moderation::Hide
            })
            .await?,
        Err(ErrorCode::UnknownCard)
    );
    Ok(())
}

#[tokio::test]
async fn the_timer_and_the_co_facilitator() -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Timer", "blank").await?;
    let co_secret = g.cofacilitator_secret()?;
    assert!(co_secret.len() >= 32 && co_secret != g.console_secret);
    // The co-facilitator's console shows the same screen link, and its own
    // link rather than the facilitator's.
    let co_page: hearth_core::page::ConsolePage = server
        .api("console", &[("secret", &co_secret)], None)
        .await?;
    assert_eq!(co_page.screen_url, g.page.screen_url);
    assert_eq!(co_page.cofacilitator_url, g.page.cofacilitator_url);
    assert!(!co_page.cofacilitator_url.contains(&g.console_secret));

    let mut co = server
        .connect(&format!("/ws/console/{co_secret}"), None, None)
        .await?;
    let mut screen = server.connect(&g.screen_ws(), None, None).await?;
    co.act(Action::Timer {
        timer: TimerAction::Set { seconds: 300 },
    })
    .await??;
    screen
        .wait_for("a running timer", |v| {
            matches!(v.timer, Timer::Running { .. })
        })
        .await?;
    co.act(Action::Timer {
        timer: TimerAction::Pause,
    })
    .await??;
    screen
        .wait_for(
            "a paused timer",
            |v| matches!(v.timer, Timer::Paused { left } if left <= 300_000 && left > 290_000),
        )
        .await?;
    co.act(Action::Timer {
        timer: TimerAction::AddMinute,
    })
    .await??;
    screen
        .wait_for(
            "a minute more",
            |v| matches!(v.timer, Timer::Paused { left } if left > 350_000),
        )
        .await?;
    assert_eq!(
        co.act(Action::Timer {
            timer: TimerAction::Set { seconds: 0 }
        })
        .await?,
        Err(ErrorCode::BadSettings)
    );
    co.act(Action::End).await??;
    screen
        .wait_for("the end", |v| v.ended && v.timer == Timer::Off)
        .await?;
    assert_eq!(co.act(Action::Reveal).await?, Err(ErrorCode::Ended));
    Ok(())
}

#[tokio::test]
async fn no_connection_can_act_outside_its_role() -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Roles", "introduction").await?;
    let mut participant = server
        .connect(&g.participant_ws(), Some(&Device::new()), None)
        .await?;
    let mut screen = server.connect(&g.screen_ws(), None, None).await?;
    let mut console = server.connect(&g.console_ws(), None, None).await?;
    let before = console.view.clone().ok_or("no view")?;
    let step = before.current;
    let card = CardId::from_random(1);
    let spec = StepSpec {
        prompt: Prompt::parse("x")?,
        exercise: Exercise::Reframe,
    };
    let facilitating = [
        Action::Reveal,
        Action::SetCollecting { step, open: false },
        Action::SetJoiningLocked { locked: true },
        Action::SetLive { step, live: true },
        Action::GoTo {
            step: step_at(&before, 2),
        },
        Action::ShowLines {
            step: step_at(&before, 2),
            count: 1,
        },
        Action::Moderate {
            card: card.clone(),
            change: Moderation::Hide,
        },
        Action::Timer {
            timer: TimerAction::Set { seconds: 60 },
        },
        Action::AddStep {
            at: 0,
            spec: spec.clone(),
        },
        Action::EditStep { step, spec },
        Action::MoveStep { step, to: 3 },
        Action::RemoveStep { step },
        Action::SaveTemplate {
            name: Label::parse("stolen")?,
        },
        Action::Statements {
            step,
            change: hearth_core::statements::StatementsChange::OnScreen {
                card: Some(card.clone()),
            },
        },
        Action::End,
        Action::GroupsDeal {
            forget_boards: false,
        },
        Action::GroupsMove {
            from: 1,
            place: 1,
            to: 2,
        },
        Action::GroupsRound { round: 1 },
        Action::GroupsBack,
    ];
    for action in facilitating {
        assert_eq!(
            participant.act(action.clone()).await?,
            Err(ErrorCode::NotAllowed),
            "{action:?}"
        );
        assert_eq!(
            screen.act(action.clone()).await?,
            Err(ErrorCode::NotAllowed),
            "{action:?}"
        );
    }
    let participating = [
        reflection_at(step, "from the wrong place", Place::Board),
        Action::Withdraw { card: card.clone() },
        mark(Mark::Resonate {
            card: card.clone(),
            on: true,
        }),
        mark(Mark::Spectrum { step, at: Some(3) }),
        mark(Mark::Answer {
            card: card.clone(),
            vote: Some(hearth_core::landscape::Vote::Agree),
        }),
        Action::GroupWrite {
            step,
            text: ReflectionText::parse("a group's words")?,
        },
        Action::GroupNote {
            step,
            tag: Tag::Probing,
            text: None,
        },
        Action::GroupShare { card: card.clone() },
        Action::GroupPropose { card: card.clone() },
        Action::GroupAgree { card: card.clone() },
    ];
    for action in participating {
        assert_eq!(
            screen.act(action.clone()).await?,
            Err(ErrorCode::NotAllowed),
            "{action:?}"
        );
        assert_eq!(
            console.act(action.clone()).await?,
            Err(ErrorCode::NotAllowed),
            "{action:?}"
        );
    }
    console.sync().await?;
    let mut after = console.view.clone().ok_or("no view")?;
    after.tally = before.tally;
    assert_eq!(after, before, "nothing changed");
    let templates = server
        .api::<hearth_core::page::StartInfo>("start", &[], None)
        .await?
        .templates;
    assert!(templates.is_empty());
    Ok(())
}

#[tokio::test]
async fn a_live_step_releases_shuffled_batches_of_at_least_three_people() -> hearth_tests::Result<()>
{
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Live", "blank").await?;
    let mut console = server.connect(&g.console_ws(), None, None).await?;
    let mut screen = server.connect(&g.screen_ws(), None, None).await?;
    let mut phones = phones(&server, &g.participant_ws(), 3).await?;
    let step = step_at(console.view.as_ref().ok_or("no view")?, 0);
    console.act(Action::SetLive { step, live: true }).await??;
    // One person, three cards; a second person: still two people.
    for i in 0..3 {
        phones[0]
            .add(step, &format!("first {i}"), Place::Board)
            .await?;
    }
    phones[1].add(step, "second", Place::Board).await?;
    // A batch would have been revealed before the answer, so before a pong.
    screen.sync().await?;
    assert!(screen.card_texts().is_empty(), "two people are not a batch");
    // The third person releases everything waiting, in one batch.
    let before = screen.events_seen.len();
    phones[2].add(step, "third", Place::Board).await?;
    screen.wait_for("the batch", |v| v.cards.len() == 5).await?;
    assert_eq!(screen.events_seen.len(), before + 1, "one event, one batch");
    // A step without reflections cannot be live.
    let spectrum = StepSpec {
        prompt: Prompt::parse("Where?")?,
        exercise: Exercise::Spectrum {
            left: Label::parse("a")?,
            right: Label::parse("b")?,
        },
    };
    console
        .act(Action::AddStep {
            at: 1,
            spec: spectrum,
        })
        .await??;
    console
        .wait_for("two steps", |v| v.steps.len() == 2)
        .await?;
    let second = step_at(console.view.as_ref().ok_or("no view")?, 1);
    assert_eq!(
        console
            .act(Action::SetLive {
                step: second,
                live: true
            })
            .await?,
        Err(ErrorCode::NoReflections)
    );
    // Turned off, cards wait for the facilitator again.
    console.act(Action::SetLive { step, live: false }).await??;
    for phone in phones.iter_mut() {
        phone.add(step, "after", Place::Board).await?;
    }
    screen.sync().await?;
    assert_eq!(screen.card_texts().len(), 5);
    Ok(())
}

#[tokio::test]
async fn the_console_exports_what_the_group_made_at_any_moment() -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let g = server
        .create_gathering("Exports, \"quoted\"", "introduction")
        .await?;
    let mut console = server.connect(&g.console_ws(), None, None).await?;
    let mut phones = phones(&server, &g.participant_ws(), 2).await?;
    let board = step_at(console.view.as_ref().ok_or("no view")?, 0);
    phones[0]
        .add(board, "Kept, with a comma", Place::Board)
        .await?;
    let hidden = phones[0].add(board, "Hidden away", Place::Board).await?;
    let gone = phones[1]
        .add(board, "Withdrawn words", Place::Board)
        .await?;
    console.act(Action::Reveal).await??;
    phones[1].act(Action::Withdraw { card: gone }).await??;
    console
        .act(Action::Moderate {
            card: hidden,
            change: Moderation::Hide,
        })
        .await??;
    let get = |file: &str| {
        let path = format!("/console/{}/export/{file}", g.console_secret);
        let server = &server;
        async move {
            let response = server.get(&path, None).await?;
            assert!(response.status().is_success(), "{path}");
            Ok::<_, hearth_tests::Error>(response.text().await?)
        }
    };
    let csv = get("cards.csv").await?;
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("step,prompt,kind,column,text,away_from,under,resonances,dots,hidden,blurred,theme,map_across,map_up,map_spread,map_split,group_agreement,common_ground")
    );
    assert!(csv.contains("\"Kept, with a comma\""));
    let markdown = get("summary.md").await?;
    assert!(markdown.contains("Kept, with a comma"));
    let json: serde_json::Value = serde_json::from_str(&get("gathering.json").await?)?;
    assert_eq!(json["format"], "hearth-gathering");
    assert_eq!(json["steps"].as_array().map(Vec::len), Some(9));
    for text in [&csv, &markdown, &json.to_string()] {
        assert!(!text.contains("Withdrawn words"), "never the withdrawn");
        assert!(!text.contains("Hidden away"), "hidden stays out");
    }
    assert!(get("cards.csv?hidden=true").await?.contains("Hidden away"));
    // Only a console's secret opens them; unknown files are not there.
    let co = g.cofacilitator_secret()?;
    for (path, ok) in [
        (format!("/console/{co}/export/cards.csv"), true),
        (
            format!("/console/{}/export/cards.csv", g.screen_secret),
            false,
        ),
        (
            format!("/console/{}/export/passwd", g.console_secret),
            false,
        ),
    ] {
        let status = server.get(&path, None).await?.status();
        assert_eq!(status.is_success(), ok, "{path}: {status}");
    }
    Ok(())
}
