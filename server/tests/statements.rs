//! The statements step against the real server: phones write statements
//! and answer them over the live link and by plain forms, the screen is
//! sent the room's landscape (two opinion groups and their common ground)
//! and the phones never are, and bad input (too long, a repeated vote id,
//! a hidden statement, an answer that is not one) gets a named reason and
//! changes nothing. The facilitator's side: seeds set up with the step,
//! the pre-screen queue sent live to the console alone, and a merged
//! duplicate's author told which statement it joined.

use hearth_core::error::ErrorCode;
use hearth_core::exercise::{Exercise, ExerciseKind, Place};
use hearth_core::gathering::{GatheringView, StepSpec};
use hearth_core::ids::{CardId, StepId};
use hearth_core::landscape::{Shape, Vote};
use hearth_core::marks::{Mark, Target};
use hearth_core::protocol::{Action, Moderation};
use hearth_core::reflection::ReflectionText;
use hearth_core::statements::StatementsChange;
use hearth_tests::{action_id, redirect_target, Client, Device, Gathering, TestServer};

const BIN: &str = env!("CARGO_BIN_EXE_hearth");

fn statements_step(view: &GatheringView) -> hearth_tests::Result<StepId> {
    view.steps
        .iter()
        .find(|s| s.exercise.kind() == ExerciseKind::Statements)
        .map(|s| s.id)
        .ok_or_else(|| "the community agenda has a statements step".into())
}

/// A gathering on its statements step, with its console and screen. The
/// ready step's seeds are taken out first: these tests count the room's
/// own statements.
async fn on_statements(
    server: &TestServer,
) -> hearth_tests::Result<(Gathering, Client, Client, StepId)> {
    let g = server.create_gathering("Statements", "community").await?;
    let mut console = server.connect(&g.console_ws(), None, None).await?;
    let screen = server.connect(&g.screen_ws(), None, None).await?;
    let view = console.view.clone().ok_or("no view")?;
    let step = statements_step(&view)?;
    let spec = settings(&view, step, &[], false)?;
    console.act(Action::EditStep { step, spec }).await??;
    console.act(Action::GoTo { step }).await??;
    Ok((g, console, screen, step))
}

/// The statements step's settings, with these seeds.
fn settings(
    view: &GatheringView,
    step: StepId,
    seeds: &[&str],
    pre_screen: bool,
) -> hearth_tests::Result<StepSpec> {
    let mut spec = view.step(step).ok_or("no statements step")?.spec();
    spec.exercise = Exercise::Statements {
        pre_screen,
        seeds: seeds
            .iter()
            .map(|s| ReflectionText::parse(s))
            .collect::<Result<_, _>>()?,
    };
    Ok(spec)
}

/// A step's seeds, as its settings hold them.
fn seeds_of(view: &GatheringView, step: StepId) -> Vec<String> {
    match view.step(step).map(|s| &s.exercise) {
        Some(Exercise::Statements { seeds, .. }) => {
            seeds.iter().map(|s| s.as_str().to_owned()).collect()
        }
        _ => Vec::new(),
    }
}

/// Phones joined over the live link.
async fn phones(server: &TestServer, g: &Gathering, n: usize) -> hearth_tests::Result<Vec<Client>> {
    let mut phones = Vec::with_capacity(n);
    for _ in 0..n {
        phones.push(
            server
                .connect(&g.participant_ws(), Some(&Device::new()), None)
                .await?,
        );
    }
    Ok(phones)
}

/// The nine statements both opinion-group tests answer, written three at
/// a time by the first three phones.
async fn nine_statements(
    phones: &mut [Client],
    console: &mut Client,
    step: StepId,
) -> hearth_tests::Result<Vec<CardId>> {
    let mut cards = Vec::new();
    for texts in [
        [
            "We need more green space",
            "Buses should run later",
            "The library is our heart",
        ],
        [
            "Rents are too high",
            "Cars come first",
            "Young people need a place",
        ],
        [
            "Keep the market",
            "Close the high street to cars",
            "More street lights",
        ],
    ] {
        cards.extend(three_statements(&mut phones[..3], console, step, texts).await?);
    }
    Ok(cards)
}

/// Three phones write one statement each (a live step lets them in once
/// three people have written); the console waits to see them.
async fn three_statements(
    phones: &mut [Client],
    console: &mut Client,
    step: StepId,
    texts: [&str; 3],
) -> hearth_tests::Result<Vec<CardId>> {
    let mut cards = Vec::new();
    for (phone, text) in phones.iter_mut().zip(texts) {
        cards.push(phone.add(step, text, Place::Board).await?);
    }
    let wanted = cards.clone();
    console
        .wait_for("the statements let in", |v| {
            wanted.iter().all(|c| v.card(c).is_some())
        })
        .await?;
    Ok(cards)
}

/// A phone's page as its browser gets it, in `lang`.
async fn phone_html(
    server: &TestServer,
    g: &Gathering,
    device: &Device,
    lang: &str,
) -> hearth_tests::Result<String> {
    let response = server
        .http
        .get(format!("{}/p/{}", server.base, g.join_token))
        .header("cookie", device.cookie())
        .header("accept-language", lang)
        .send()
        .await?;
    Ok(response.text().await?)
}

fn answer(card: &CardId, vote: Vote) -> Action {
    Action::Mark {
        mark: Mark::Answer {
            card: card.clone(),
            vote: Some(vote),
        },
    }
}

/// A room on its statements step in two clear opinion groups.
struct TwoGroups {
    g: Gathering,
    console: Client,
    screen: Client,
    step: StepId,
    phones: Vec<Client>,
    cards: Vec<CardId>,
}

/// Twelve phones answer nine statements: everyone agrees with the first;
/// on the rest, the first six phones and the other six answer opposite
/// ways.
async fn in_two_groups(server: &TestServer) -> hearth_tests::Result<TwoGroups> {
    let (g, mut console, screen, step) = on_statements(server).await?;
    let mut phones = phones(server, &g, 12).await?;
    let cards = nine_statements(&mut phones, &mut console, step).await?;
    for (who, phone) in phones.iter_mut().enumerate() {
        for (i, card) in cards.iter().enumerate() {
            let vote = if i == 0 || (i % 2 == 0) == (who < 6) {
                Vote::Agree
            } else {
                Vote::Disagree
            };
            phone.act(answer(card, vote)).await??;
        }
    }
    Ok(TwoGroups {
        g,
        console,
        screen,
        step,
        phones,
        cards,
    })
}

#[tokio::test]
async fn two_opinion_groups_and_their_common_ground_reach_the_screen_and_never_a_phone(
) -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let TwoGroups {
        g,
        mut console,
        mut screen,
        step,
        mut phones,
        cards,
    } = in_two_groups(&server).await?;
    let common = cards[0].clone();
    screen
        .wait_for("two groups and their common ground", |v| {
            let l = &v.board(step).landscape;
            l.shape == Shape::Groups
                && l.groups.len() == 2
                && l.common_ground.iter().any(|c| c.statement == common)
        })
        .await?;
    let landscape = screen.view.as_ref().ok_or("no view")?.board(step).landscape;
    assert!(landscape.groups.iter().all(|g| g.members.get() == 6));
    assert!(screen.landscapes_seen > 0);
    console
        .wait_for("the console's landscape", |v| {
            v.board(step).landscape == landscape
        })
        .await?;
    // A phone is never sent the landscape, only its own place, in its page.
    for phone in phones.iter_mut() {
        phone.sync().await?;
        assert_eq!(phone.landscapes_seen, 0);
    }
    // Nor in a snapshot: a phone connecting now starts from one.
    let late = server
        .connect(&g.participant_ws(), Some(&Device::new()), None)
        .await?;
    let start = late.view.as_ref().ok_or("no view")?;
    assert!(start.board(step).landscape.groups.is_empty());
    assert!(start.board(step).landscape.splits.is_empty());
    let page = server.participant_page(&g, &Device::new()).await?;
    assert!(page.gathering.board(step).landscape.groups.is_empty());
    Ok(())
}

#[tokio::test]
async fn plain_forms_write_and_answer_and_bad_input_changes_nothing() -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let (g, mut console, _screen, step) = on_statements(&server).await?;
    let mut live = phones(&server, &g, 3).await?;
    let cards = three_statements(
        &mut live,
        &mut console,
        step,
        [
            "We need more green space",
            "Buses should run later",
            "The library is our heart",
        ],
    )
    .await?;
    let device = Device::new();
    let post = |what: &'static str, form: Vec<(&'static str, String)>| {
        let server = &server;
        let g = &g;
        let device = &device;
        async move {
            let response = server
                .http
                .post(format!("{}/p/{}/{what}", server.base, g.join_token))
                .header("cookie", device.cookie())
                .form(&form)
                .send()
                .await?;
            redirect_target(&response).ok_or_else(|| {
                hearth_tests::Error::from(format!("{what}: answered {}", response.status()))
            })
        }
    };
    // Over 140 characters: a named reason, and nothing kept.
    let before = console.view.clone().ok_or("no view")?.cards.len();
    let long = "a".repeat(141);
    let went = post(
        "reflect",
        vec![
            ("id", action_id().as_str().to_owned()),
            ("step", step.0.to_string()),
            ("text", long),
        ],
    )
    .await?;
    assert!(went.contains("error=statement_too_long"), "{went}");
    let mine = server.participant_page(&g, &device).await?.mine;
    assert!(mine.is_empty());
    // An answer, then the same vote id again with another answer: the
    // first stands.
    let id = action_id().as_str().to_owned();
    let answer_form = |vote: &str, card: &CardId, id: &str| {
        vec![
            ("mark", "answer".to_owned()),
            ("card", card.as_str().to_owned()),
            ("vote", vote.to_owned()),
            ("id", id.to_owned()),
        ]
    };
    let went = post("mark", answer_form("agree", &cards[0], &id)).await?;
    assert!(went.contains("done=marked"), "{went}");
    let went = post("mark", answer_form("disagree", &cards[0], &id)).await?;
    assert!(
        went.contains("done=marked"),
        "a resend is answered as before: {went}"
    );
    let target = Target::Answer(cards[0].clone());
    let kept = |marks: Vec<Mark>| marks.into_iter().find(|m| m.target() == target);
    let page = server.participant_page(&g, &device).await?;
    assert_eq!(
        kept(page.marks),
        Some(Mark::Answer {
            card: cards[0].clone(),
            vote: Some(Vote::Agree)
        })
    );
    // A new id changes the answer.
    let went = post("mark", answer_form("pass", &cards[0], action_id().as_str())).await?;
    assert!(went.contains("done=marked"), "{went}");
    let page = server.participant_page(&g, &device).await?;
    assert_eq!(
        kept(page.marks),
        Some(Mark::Answer {
            card: cards[0].clone(),
            vote: Some(Vote::Pass)
        })
    );
    // The next statement for this phone is one it has not answered.
    let ballot = page.ballot.ok_or("a ballot in a statements step")?;
    assert!(ballot.next.is_some_and(|c| c != cards[0]));
    assert_eq!(ballot.answered, 1);
    // Not an answer, and a statement that is hidden: named, nothing kept.
    let went = post(
        "mark",
        answer_form("maybe", &cards[1], action_id().as_str()),
    )
    .await?;
    assert!(went.contains("error=malformed"), "{went}");
    console
        .act(Action::Moderate {
            card: cards[1].clone(),
            change: Moderation::Hide,
        })
        .await??;
    let went = post(
        "mark",
        answer_form("agree", &cards[1], action_id().as_str()),
    )
    .await?;
    assert!(went.contains("error=not_votable"), "{went}");
    let went = post("mark", answer_form("agree", &cards[2], "not an id!")).await?;
    assert!(went.contains("error=malformed"), "{went}");
    let marks = server.participant_page(&g, &device).await?.marks;
    assert_eq!(marks.len(), 1, "{marks:?}");
    console.sync().await?;
    assert_eq!(console.view.clone().ok_or("no view")?.cards.len(), before);
    Ok(())
}

#[tokio::test]
async fn a_phone_page_shows_one_statement_with_three_buttons_and_its_place_in_spanish_too(
) -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let (g, mut console, _screen, step) = on_statements(&server).await?;
    let mut live = phones(&server, &g, 3).await?;
    let texts = [
        "We need more green space",
        "Buses should run later",
        "The library is our heart",
    ];
    three_statements(&mut live, &mut console, step, texts).await?;
    let device = Device::new();
    let html = phone_html(&server, &g, &device, "en").await?;
    for needle in [
        r#"data-testid="agree""#,
        r#"data-testid="disagree""#,
        r#"data-testid="pass""#,
        r#"name="mark" value="answer""#,
        "Answer 3 more statements to see which group you are closest to.",
        "Add a statement",
        r#"maxlength="140""#,
    ] {
        assert!(html.contains(needle), "{needle} is not on the phone's page");
    }
    let shown = texts.iter().filter(|t| html.contains(*t)).count();
    assert_eq!(shown, 1, "one statement at a time");
    let html = phone_html(&server, &g, &device, "es").await?;
    assert!(html.contains("De acuerdo") && html.contains("Paso / no sé"));
    // The screen's page draws the landscape's place, in words from the
    // catalogue.
    let screen = server
        .http
        .get(format!("{}/screen/{}", server.base, g.screen_secret))
        .send()
        .await?
        .text()
        .await?;
    assert!(
        screen.contains("Common ground"),
        "the screen shows common ground"
    );
    Ok(())
}

#[tokio::test]
async fn exports_hold_statements_group_sizes_and_agreement_never_an_answer(
) -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let TwoGroups {
        g,
        mut console,
        mut screen,
        step,
        ..
    } = in_two_groups(&server).await?;
    screen
        .wait_for("two groups", |v| v.board(step).landscape.groups.len() == 2)
        .await?;
    console
        .wait_for("two groups", |v| v.board(step).landscape.groups.len() == 2)
        .await?;
    let file = |name: &str| {
        let url = format!("{}/console/{}/export/{name}", server.base, g.console_secret);
        let http = server.http.clone();
        async move {
            let response = http.get(url).send().await?;
            let status = response.status();
            let bytes = response.bytes().await?;
            hearth_tests::Result::<(u16, Vec<u8>)>::Ok((status.as_u16(), bytes.to_vec()))
        }
    };
    let (status, md) = file("summary.md").await?;
    assert_eq!(status, 200);
    let md = String::from_utf8(md)?;
    assert!(md.contains("**Group A** — 6 people"), "{md}");
    assert!(md.contains("Common ground"), "{md}");
    assert!(
        md.contains("Group B (6 people): 0% agree · 100% disagree · 0% pass"),
        "{md}"
    );
    let (_, csv) = file("cards.csv").await?;
    let csv = String::from_utf8(csv)?;
    let header = csv.lines().next().ok_or("a header")?;
    assert!(header.ends_with("group_agreement,common_ground"));
    let first = csv
        .lines()
        .find(|l| l.contains("We need more green space"))
        .ok_or("the first statement's row")?;
    assert!(
        first.contains("100% agree") && first.ends_with(",true"),
        "{first}"
    );
    let (status, svg) = file(&format!("landscape-{}.svg", step.0)).await?;
    assert_eq!(status, 200);
    let svg = String::from_utf8(svg)?;
    assert_eq!(
        svg.matches("<ellipse").count(),
        2,
        "a cloud per group, no points"
    );
    assert!(svg.contains("6 people"));
    let (status, png) = file(&format!("landscape-{}.png", step.0)).await?;
    assert_eq!(status, 200);
    assert!(png.starts_with(b"\x89PNG"));
    // Not a statements step, or no such step: nothing.
    assert_eq!(file("landscape-1.svg").await?.0, 404);
    assert_eq!(file("landscape-x.svg").await?.0, 404);
    // No answer vector anywhere: the JSON export holds no answers.
    let (_, json) = file("gathering.json").await?;
    let json = String::from_utf8(json)?;
    assert!(!json.contains("\"answer\"") && !json.contains("\"vote\""));
    Ok(())
}

#[tokio::test]
async fn seeds_set_up_with_the_step_enter_once_when_it_opens_and_travel_with_a_template(
) -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Seeds", "community").await?;
    let mut console = server.connect(&g.console_ws(), None, None).await?;
    let mut screen = server.connect(&g.screen_ws(), None, None).await?;
    let view = console.view.clone().ok_or("no view")?;
    let step = statements_step(&view)?;
    // The ready step comes with seeds of our own, not in the room before
    // the step opens.
    let seeds = seeds_of(&view, step);
    assert_eq!(seeds.len(), 3);
    assert_eq!(view.cards_of(step).count(), 0);
    console.act(Action::GoTo { step }).await??;
    screen
        .wait_for("the seeds in the room", |v| v.cards_of(step).count() == 3)
        .await?;
    let on_screen: Vec<String> = screen
        .view
        .as_ref()
        .ok_or("no view")?
        .cards_of(step)
        .map(|c| c.text.clone())
        .collect();
    assert!(on_screen.iter().all(|t| seeds.contains(t)));
    // A phone arriving now has one to answer at once.
    let page = server.participant_page(&g, &Device::new()).await?;
    let next = page.ballot.and_then(|b| b.next).ok_or("a statement")?;
    let offered = page.gathering.card(&next).ok_or("a card")?;
    assert!(seeds.contains(&offered.text));
    // One more seed while the step is on: it enters at once, and saving
    // the same settings again doubles nothing.
    let mut texts: Vec<&str> = seeds.iter().map(String::as_str).collect();
    texts.push("The park needs more benches");
    let spec = settings(&view, step, &texts, false)?;
    console
        .act(Action::EditStep {
            step,
            spec: spec.clone(),
        })
        .await??;
    console.act(Action::EditStep { step, spec }).await??;
    screen
        .wait_for("the new seed", |v| {
            v.cards_of(step)
                .any(|c| c.text == "The park needs more benches")
        })
        .await?;
    screen.sync().await?;
    let view = screen.view.as_ref().ok_or("no view")?;
    assert_eq!(view.cards_of(step).count(), 4, "each seed once");
    // A seed over a statement's limit: the statement's own reason, and
    // nothing changes.
    let long = "a".repeat(141);
    let bad = settings(&view.clone(), step, &["Fine words", &long], false)?;
    assert_eq!(
        console.act(Action::EditStep { step, spec: bad }).await?,
        Err(ErrorCode::StatementTooLong)
    );
    console.sync().await?;
    let view = console.view.as_ref().ok_or("no view")?;
    assert_eq!(seeds_of(view, step).len(), 4);
    assert_eq!(view.cards_of(step).count(), 4);
    // Kept with the agenda as a template: a gathering started from it is
    // set up with the same seeds.
    let saved = server.save_template(&mut console, "Hall evening").await?;
    let again = server
        .create_gathering("Again", &format!("template:{}", saved.id))
        .await?;
    let view = &again.page.gathering;
    assert_eq!(seeds_of(view, statements_step(view)?), texts);
    assert!(view.cards.is_empty());
    // A gathering that starts on its statements step (it is first) has
    // its seeds in the room from the start, and once only.
    console.act(Action::MoveStep { step, to: 0 }).await??;
    let saved = server
        .save_template(&mut console, "Statements first")
        .await?;
    let first = server
        .create_gathering("First", &format!("template:{}", saved.id))
        .await?;
    let mut console = server.connect(&first.console_ws(), None, None).await?;
    let view = console.view.clone().ok_or("no view")?;
    let step = statements_step(&view)?;
    assert_eq!(view.current, step);
    let mut seeded: Vec<String> = view.cards_of(step).map(|c| c.text.clone()).collect();
    seeded.sort();
    let mut wanted: Vec<String> = texts.iter().map(|t| t.to_string()).collect();
    wanted.sort();
    assert_eq!(seeded, wanted);
    let spec = settings(&view, step, &texts, false)?;
    console.act(Action::EditStep { step, spec }).await??;
    console.sync().await?;
    let view = console.view.as_ref().ok_or("no view")?;
    assert_eq!(view.cards_of(step).count(), texts.len(), "not doubled");
    let page = server.participant_page(&first, &Device::new()).await?;
    assert!(page.ballot.and_then(|b| b.next).is_some(), "one to answer");
    Ok(())
}

#[tokio::test]
async fn the_pre_screen_queue_reaches_the_console_live_and_no_other_view(
) -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let (g, mut console, mut screen, step) = on_statements(&server).await?;
    let view = console.view.clone().ok_or("no view")?;
    let spec = settings(&view, step, &[], true)?;
    console.act(Action::EditStep { step, spec }).await??;
    console.act(Action::SetLive { step, live: false }).await??;
    let mut live = phones(&server, &g, 2).await?;
    // A statement written now appears on the open console, with its words,
    // without its page being made again.
    let words = "Read me before the room does";
    let card = live[0].add(step, words, Place::Board).await?;
    console
        .wait_for_queue("the statement waiting", |q| {
            q.iter().any(|(c, t)| *c == card && t == words)
        })
        .await?;
    // Nobody else is sent it: not the screen, not a phone.
    for view in std::iter::once(&mut screen).chain(live.iter_mut()) {
        view.sync().await?;
        assert_eq!(view.queues_seen, 0);
        assert!(view.card_texts().iter().all(|t| t != words));
    }
    // A console opened now starts from the queue as it is.
    let mut second = server.connect(&g.console_ws(), None, None).await?;
    second
        .wait_for_queue("the queue on connecting", |q| q.len() == 1)
        .await?;
    // Let in, it leaves the queue on both consoles, and reaches the room.
    let approve = StatementsChange::Approve { card: card.clone() };
    console
        .act(Action::Statements {
            step,
            change: approve,
        })
        .await??;
    for c in [&mut console, &mut second] {
        c.wait_for_queue("an empty queue", <[_]>::is_empty).await?;
    }
    screen
        .wait_for("the statement let in", |v| v.card(&card).is_some())
        .await?;
    // Withdrawn while it waits, a statement leaves the queue too.
    let gone = live[1].add(step, "Never mind", Place::Board).await?;
    console
        .wait_for_queue("the second", |q| q.iter().any(|(c, _)| *c == gone))
        .await?;
    live[1].act(Action::Withdraw { card: gone }).await??;
    console
        .wait_for_queue("the queue without it", <[_]>::is_empty)
        .await?;
    screen.sync().await?;
    assert_eq!(screen.queues_seen, 0);
    Ok(())
}

#[tokio::test]
async fn a_merged_duplicates_author_is_told_which_statement_it_joined() -> hearth_tests::Result<()>
{
    let server = TestServer::start(BIN).await?;
    let (g, mut console, _screen, step) = on_statements(&server).await?;
    let devices: Vec<Device> = (0..3).map(|_| Device::new()).collect();
    let mut live = Vec::new();
    for device in &devices {
        live.push(
            server
                .connect(&g.participant_ws(), Some(device), None)
                .await?,
        );
    }
    let texts = [
        "More trees on our street",
        "Plant more trees on our street",
        "Buses should run later",
    ];
    let cards = three_statements(&mut live, &mut console, step, texts).await?;
    let merge = StatementsChange::Merge {
        duplicate: cards[1].clone(),
        into: cards[0].clone(),
    };
    console
        .act(Action::Statements {
            step,
            change: merge,
        })
        .await??;
    // The duplicate's author: their words, that they were joined, and
    // the statement the room answers now.
    let html = phone_html(&server, &g, &devices[1], "en").await?;
    let own = html
        .split(&format!(r#"id="own-{}""#, cards[1].as_str()))
        .nth(1)
        .and_then(|rest| rest.split("</li>").next())
        .ok_or("the merged statement in its author's list")?;
    assert!(own.contains(r#"data-testid="merged""#), "{own}");
    assert!(own.contains("Someone else said this too"), "{own}");
    assert!(own.contains(texts[0]), "which one: {own}");
    assert!(!own.contains("Not shown to the room"), "{own}");
    let data = server.participant_page(&g, &devices[1]).await?;
    assert_eq!(
        data.gathering.board(step).merged_into(&cards[1]),
        Some(&cards[0])
    );
    // In Spanish too.
    let html = phone_html(&server, &g, &devices[1], "es").await?;
    assert!(html.contains("Alguien más dijo esto también"));
    // The statement kept, and everyone else's list, say nothing of it.
    for device in [&devices[0], &devices[2]] {
        let html = phone_html(&server, &g, device, "en").await?;
        assert!(!html.contains(r#"data-testid="merged""#));
    }
    Ok(())
}
