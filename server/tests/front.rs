//! The front of the room: what the console, the front door and a writer's
//! phone are told, found wrong when Hearth was run end to end before a
//! room (issue 16). Each test failed before its fix.

use hearth_core::exercise::Place;
use hearth_core::gathering::{GatheringView, Waiting};
use hearth_core::ids::StepId;
use hearth_core::protocol::Action;
use hearth_core::timer::{Timer, TimerAction};
use hearth_tests::{redirect_target, reflection_at, Client, Device, TestServer};

const BIN: &str = env!("CARGO_BIN_EXE_hearth");

fn step_at(view: Option<&GatheringView>, index: usize) -> hearth_tests::Result<StepId> {
    Ok(view
        .and_then(|v| v.steps.get(index))
        .ok_or("no such step")?
        .id)
}

async fn phones(server: &TestServer, path: &str, n: usize) -> hearth_tests::Result<Vec<Client>> {
    let mut phones = Vec::new();
    for _ in 0..n {
        phones.push(server.connect(path, Some(&Device::new()), None).await?);
    }
    Ok(phones)
}

#[tokio::test]
async fn the_waiting_count_is_the_steps_own() -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Counts", "introduction").await?;
    let mut console = server.connect(&g.console_ws(), None, None).await?;
    let mut phones = phones(&server, &g.participant_ws(), 5).await?;
    let first = step_at(console.view.as_ref(), 0)?;
    let last = step_at(console.view.as_ref(), 7)?;
    for (i, phone) in phones.iter_mut().enumerate() {
        phone
            .add(first, &format!("waiting {i}"), Place::Board)
            .await?;
    }
    console
        .wait_for("five waiting", |v| v.tally.waiting == Waiting::Count(5))
        .await?;
    // On another step nothing waits: Reveal there would show nothing.
    console.act(Action::GoTo { step: last }).await??;
    console
        .wait_for("nothing waiting on the new step", |v| {
            v.current == last && v.tally.waiting == Waiting::None
        })
        .await?;
    phones[0].add(last, "the close", Place::Board).await?;
    console
        .wait_for("the new step's one", |v| {
            v.tally.waiting == Waiting::Count(1)
        })
        .await?;
    // Back on the first step, its five are waiting again, and Reveal shows them.
    console.act(Action::GoTo { step: first }).await??;
    console
        .wait_for("the first step's five", |v| {
            v.tally.waiting == Waiting::Count(5)
        })
        .await?;
    console.act(Action::Reveal).await??;
    console
        .wait_for("revealed, nothing waits", |v| {
            v.tally.waiting == Waiting::None && v.cards_of(first).count() == 5
        })
        .await?;
    Ok(())
}

#[tokio::test]
async fn the_screen_counts_writers_only_from_five() -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Writers", "introduction").await?;
    let mut console = server.connect(&g.console_ws(), None, None).await?;
    let mut screen = server.connect(&g.screen_ws(), None, None).await?;
    let mut phones = phones(&server, &g.participant_ws(), 6).await?;
    let first = step_at(console.view.as_ref(), 0)?;
    // Two cards from one person count once.
    phones[0].add(first, "one", Place::Board).await?;
    phones[0].add(first, "one more", Place::Board).await?;
    for (i, phone) in phones.iter_mut().enumerate().take(4).skip(1) {
        phone
            .add(first, &format!("words {i}"), Place::Board)
            .await?;
    }
    console
        .wait_for("five cards from four people", |v| {
            v.tally.waiting == Waiting::Count(5)
        })
        .await?;
    assert_eq!(console.view.as_ref().ok_or("a view")?.tally.writers, None);
    screen
        .wait_for("the screen's figures", |v| v.tally.people == Some(6))
        .await?;
    assert_eq!(
        screen.view.as_ref().ok_or("a view")?.tally.writers,
        None,
        "four is too few"
    );
    phones[4].add(first, "words 4", Place::Board).await?;
    screen
        .wait_for("five writers", |v| v.tally.writers == Some(5))
        .await?;
    // On the next step, nobody has written yet.
    let next = step_at(console.view.as_ref(), 1)?;
    console.act(Action::GoTo { step: next }).await??;
    screen
        .wait_for("the next step's own count", |v| {
            v.current == next && v.tally.writers.is_none()
        })
        .await?;
    Ok(())
}

#[tokio::test]
async fn a_timer_that_ran_out_does_not_follow_the_room_to_the_next_step() -> hearth_tests::Result<()>
{
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Timers", "introduction").await?;
    let mut console = server.connect(&g.console_ws(), None, None).await?;
    let second = step_at(console.view.as_ref(), 1)?;
    let third = step_at(console.view.as_ref(), 2)?;
    console
        .act(Action::Timer {
            timer: TimerAction::Set { seconds: 1 },
        })
        .await??;
    console
        .wait_for("the timer running", |v| {
            matches!(v.timer, Timer::Running { .. })
        })
        .await?;
    let Some(Timer::Running { ends_at }) = console.view.as_ref().map(|v| v.timer) else {
        return Err("the timer runs".into());
    };
    // The server's clock passes the end: the timer says "Time".
    let timer = Timer::Running { ends_at };
    while timer.left(now_ms()) != Some(0) {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    console.act(Action::GoTo { step: second }).await??;
    console
        .wait_for("the next step without the old timer", |v| {
            v.current == second && v.timer == Timer::Off
        })
        .await?;
    // A timer still running goes on with the room.
    console
        .act(Action::Timer {
            timer: TimerAction::Set { seconds: 600 },
        })
        .await??;
    console.act(Action::GoTo { step: third }).await??;
    console
        .wait_for("the running timer kept", |v| {
            v.current == third && matches!(v.timer, Timer::Running { .. })
        })
        .await?;
    Ok(())
}

/// The server's clock, as the room reads it (the same machine).
fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

#[tokio::test]
async fn a_writer_whose_card_is_held_back_is_told_why() -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Held", "blank").await?;
    let mut console = server.connect(&g.console_ws(), None, None).await?;
    let step = step_at(console.view.as_ref(), 0)?;
    console.act(Action::SetLive { step, live: true }).await??;
    let device = Device::new();
    let mut phone = server
        .connect(&g.participant_ws(), Some(&device), None)
        .await?;
    phone
        .act(reflection_at(step, "Only me so far", Place::Board))
        .await??;
    let page = server
        .get(&format!("/p/{}", g.join_token), Some(&device))
        .await?
        .text()
        .await?;
    assert!(
        page.contains("once a few more people have written"),
        "the phone says why its card waits"
    );
    // The console says so too (its page as first sent), and Reveal lets it go.
    let console_page = server
        .get(&format!("/console/{}", g.console_secret), None)
        .await?
        .text()
        .await?;
    assert!(
        console_page.contains("held back until 3 different people have written"),
        "the console says cards are held back"
    );
    console.act(Action::Reveal).await??;
    console
        .wait_for("the card released", |v| v.cards_of(step).count() == 1)
        .await?;
    Ok(())
}

#[tokio::test]
async fn a_code_with_a_look_alike_is_told_which_characters_codes_never_use(
) -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    for typed in ["ABC123", "NNROSR"] {
        let back = server.get(&format!("/join?code={typed}"), None).await?;
        let to = redirect_target(&back).ok_or("sent back to the front door")?;
        let page = server.get(&to, None).await?.text().await?;
        assert!(page.contains("never use 0, O, 1, I or L"), "{typed}: {to}");
    }
    let back = server.get("/join?code=ABC", None).await?;
    let to = redirect_target(&back).ok_or("sent back to the front door")?;
    let page = server.get(&to, None).await?.text().await?;
    assert!(page.contains("A join code has 6"), "a short code: {to}");
    Ok(())
}

#[tokio::test]
async fn every_page_has_an_icon() -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let ico = server.get("/favicon.ico", None).await?;
    assert!(ico.status().is_success(), "{}", ico.status());
    let bytes = ico.bytes().await?;
    assert_eq!(&bytes[..4], &[0, 0, 1, 0], "an ICO file");
    let svg = server.get("/favicon.svg", None).await?;
    assert!(svg.status().is_success());
    let home = server.get("/", None).await?.text().await?;
    assert!(home.contains(r#"rel="icon""#), "pages name their icon");
    Ok(())
}

#[tokio::test]
async fn a_phone_speaks_plainly_and_puts_now_first() -> hearth_tests::Result<()> {
    use hearth_core::protocol::Moderation;
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Words", "introduction").await?;
    let mut console = server.connect(&g.console_ws(), None, None).await?;
    let device = Device::new();
    let mut phone = server
        .connect(&g.participant_ws(), Some(&device), None)
        .await?;
    let board = step_at(console.view.as_ref(), 0)?;
    let reframe = step_at(console.view.as_ref(), 3)?;
    let map = step_at(console.view.as_ref(), 4)?;
    let path = format!("/p/{}", g.join_token);
    let page = || async {
        Ok::<_, hearth_tests::Error>(server.get(&path, Some(&device)).await?.text().await?)
    };
    phone.add(board, "Earlier words", Place::Board).await?;
    let html = page().await?;
    assert!(!html.contains(">The prompt<"), "no jargon over the prompt");
    assert!(html.contains("Now in the room"));
    assert!(
        html.contains("Yes, withdraw it"),
        "withdrawing asks once before it acts"
    );

    // A reframe's own button says what it adds.
    console.act(Action::GoTo { step: reframe }).await??;
    phone
        .add(reframe, "They called me difficult", Place::Board)
        .await?;
    console.act(Action::Reveal).await??;
    let html = page().await?;
    assert!(html.contains("Add this reframe"), "the reframe's button");
    // This step's reflections come first in "Your reflections".
    let mine = &html[html.find(r#"id="mine""#).ok_or("their reflections")?..];
    let (now, earlier) = (
        mine.find("They called me difficult")
            .ok_or("this step's card")?,
        mine.find("Earlier words").ok_or("the earlier card")?,
    );
    assert!(now < earlier, "this step's reflections first");

    // On the map, after the reveal, placing comes before writing; the
    // cards are not "the board"; a card the facilitator blurred is not
    // said to carry its author's content note.
    console.act(Action::GoTo { step: map }).await??;
    let story = phone
        .add(map, "Asking for help is weakness", Place::Board)
        .await?;
    console.act(Action::Reveal).await??;
    console
        .act(Action::Moderate {
            card: story,
            change: Moderation::Blur,
        })
        .await??;
    console
        .wait_for("the blurred story", |v| v.cards.iter().any(|c| c.blurred))
        .await?;
    let html = page().await?;
    let cards = html
        .find("Stories to place on the map")
        .ok_or("the map's cards")?;
    let form = html.find(r#"class="reflect"#).ok_or("the writing box")?;
    assert!(cards < form, "placing comes first");
    assert!(!html.contains(">The board<"));
    assert!(html.contains("Covered on the shared screen for now"));
    assert!(!html.contains("Content note. Tap to read."));
    Ok(())
}

#[tokio::test]
async fn the_harvest_opens_with_what_the_group_made() -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Harvest", "introduction").await?;
    let mut console = server.connect(&g.console_ws(), None, None).await?;
    let board = step_at(console.view.as_ref(), 0)?;
    let mut phones = phones(&server, &g.participant_ws(), 2).await?;
    for (i, phone) in phones.iter_mut().enumerate() {
        phone
            .add(board, &format!("Words {i}"), Place::Board)
            .await?;
    }
    console.act(Action::Reveal).await??;
    console
        .wait_for("both cards", |v| v.cards.len() == 2)
        .await?;
    let html = server
        .get(&format!("/harvest/{}", g.console_secret), None)
        .await?
        .text()
        .await?;
    let summary = html.find("What the group made").ok_or("the summary")?;
    let first_step = html.find(r#"class="harvest-step""#).ok_or("a step page")?;
    assert!(summary < first_step, "the summary is on the first page");
    let list = &html[summary..first_step];
    let view = console.view.as_ref().ok_or("the console's view")?;
    assert_eq!(
        list.matches("<li>").count(),
        view.steps.len(),
        "one line per step"
    );
    assert!(list.contains(view.steps[0].prompt.as_str()));
    assert!(list.contains("2 cards"), "{list}");

    // On paper a map's type is small: its cards are listed in words too,
    // numbered as the map numbers them.
    let map = step_at(console.view.as_ref(), 4)?;
    console.act(Action::GoTo { step: map }).await??;
    phones[0]
        .add(map, "Learned at my grandmother's table", Place::Board)
        .await?;
    console.act(Action::Reveal).await??;
    console
        .wait_for("the map's card", |v| v.cards_of(map).count() == 1)
        .await?;
    let html = server
        .get(&format!("/harvest/{}", g.console_secret), None)
        .await?
        .text()
        .await?;
    let key = html
        .find("The cards on the map, by their numbers")
        .ok_or("the map's key")?;
    assert!(html[key..].contains("Learned at my grandmother"));
    Ok(())
}

#[tokio::test]
async fn an_export_says_which_steps_still_had_reflections_waiting() -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Waiting", "introduction").await?;
    let mut console = server.connect(&g.console_ws(), None, None).await?;
    let mut phones = phones(&server, &g.participant_ws(), 5).await?;
    let first = step_at(console.view.as_ref(), 0)?;
    for (i, phone) in phones.iter_mut().enumerate().take(2) {
        phone
            .add(first, &format!("unseen {i}"), Place::Board)
            .await?;
    }
    console
        .wait_for("two waiting", |v| v.tally.waiting == Waiting::Count(2))
        .await?;
    // The room moves on without revealing them.
    let next = step_at(console.view.as_ref(), 1)?;
    console.act(Action::GoTo { step: next }).await??;
    let summary = server
        .get(
            &format!("/console/{}/export/summary.md", g.console_secret),
            None,
        )
        .await?
        .text()
        .await?;
    let first_section = summary.split("\n## ").nth(1).ok_or("the first step")?;
    assert!(
        first_section.contains("2 reflections on this step were still waiting to be revealed"),
        "{first_section}"
    );
    assert!(
        !summary.contains("unseen 0"),
        "their words stay out: the room never saw them"
    );
    Ok(())
}

#[tokio::test]
async fn an_export_is_saved_under_the_gatherings_name_and_day() -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let g = server
        .create_gathering("Tuesday training, Café", "introduction")
        .await?;
    let day = app::dates::Day::from_unix_ms(now_ms());
    let date = format!("{:04}-{:02}-{:02}", day.year, day.month, day.day);
    for file in ["summary.md", "cards.csv", "gathering.json", "map-5.svg"] {
        let response = server
            .get(
                &format!("/console/{}/export/{file}", g.console_secret),
                None,
            )
            .await?;
        let saved = response
            .headers()
            .get(reqwest::header::CONTENT_DISPOSITION)
            .and_then(|v| v.to_str().ok())
            .ok_or("a file name")?
            .to_owned();
        assert!(
            saved.contains(&format!(r#"filename="tuesday-training-caf-{date}-{file}""#)),
            "{saved}"
        );
        assert!(
            saved.contains(&format!(
                "filename*=UTF-8''tuesday-training-caf%C3%A9-{date}-{file}"
            )),
            "{saved}"
        );
    }
    Ok(())
}
