//! Small groups through the real server: seven phones dealt into triads
//! when the room enters the step, each group writing on its own board by
//! plain form, an observer's private note, a card brought back only when a
//! second member agrees, and what every other view (the other groups'
//! phones, the part every phone shares, the console, the screen, the
//! exports) never sees. Bad input is named in the person's own view and
//! changes nothing; the groups survive a crash and go at the end.

use hearth_core::error::ErrorCode;
use hearth_core::exercise::{Exercise, Place};
use hearth_core::gathering::StepSpec;
use hearth_core::groups::{GroupSize, Role, RoleSet};
use hearth_core::ids::StepId;
use hearth_core::page::{GroupBoard, ParticipantPage};
use hearth_core::protocol::Action;
use hearth_core::words::Prompt;
use hearth_tests::store::on_postgres;
use hearth_tests::{action_id, redirect_target, Client, Device, Gathering, TestServer};

const BIN: &str = env!("CARGO_BIN_EXE_hearth");

/// A bad post: who sends it, its fields, the error code it comes back
/// with, and words of the message their page then shows.
type BadPost<'a> = (&'a Device, Vec<(&'a str, &'a str)>, &'a str, &'a str);

/// A small groups step: triads with the IPS roles, two rounds.
fn triads() -> hearth_tests::Result<StepSpec> {
    Ok(StepSpec {
        prompt: Prompt::parse("Tell a time someone really listened.")?,
        exercise: Exercise::SmallGroups {
            size: GroupSize::TRIAD,
            rounds: 2,
            minutes: 5,
            roles: RoleSet::IpsTriad,
            prompts: vec![Prompt::parse("Round one: a time you felt heard.")?],
            show_sign: true,
        },
    })
}

/// A phone's group, as its own page data says.
async fn board(
    server: &TestServer,
    g: &Gathering,
    device: &Device,
) -> hearth_tests::Result<Option<GroupBoard>> {
    let page: ParticipantPage = server.participant_page(g, device).await?;
    Ok(page.group)
}

/// Every phone's group, as its own page data says, in the order of
/// `devices`.
async fn boards(
    server: &TestServer,
    g: &Gathering,
    devices: &[Device],
) -> hearth_tests::Result<Vec<GroupBoard>> {
    let mut boards = Vec::new();
    for device in devices {
        boards.push(board(server, g, device).await?.ok_or("not dealt")?);
    }
    Ok(boards)
}

/// The phone at `place` of group `n` (both from 1), by `boards`.
fn member<'a>(
    devices: &'a [Device],
    boards: &[GroupBoard],
    n: usize,
    place: u32,
) -> hearth_tests::Result<&'a Device> {
    let i = boards
        .iter()
        .position(|b| b.sign.number == n && b.place == place)
        .ok_or("no such member")?;
    Ok(&devices[i])
}

/// Posts the small group form as a phone without its script; where the
/// server sent it back to.
async fn post(
    server: &TestServer,
    g: &Gathering,
    device: &Device,
    form: &[(&str, &str)],
) -> hearth_tests::Result<String> {
    let response = server
        .http
        .post(format!("{}/p/{}/group", server.base, g.join_token))
        .header(reqwest::header::COOKIE, device.cookie())
        .form(form)
        .send()
        .await?;
    Ok(redirect_target(&response).ok_or("the form did not redirect")?)
}

/// The page a phone without its script is sent back to, as HTML.
async fn page_at(
    server: &TestServer,
    device: &Device,
    target: &str,
) -> hearth_tests::Result<String> {
    Ok(server.get(target, Some(device)).await?.text().await?)
}

/// `n` phones in the room (each opens its page: it is in), then a triads
/// step added after the first and the room taken to it (step 2), which
/// deals them.
async fn in_triads(
    server: &TestServer,
    g: &Gathering,
    console: &mut Client,
    n: usize,
) -> hearth_tests::Result<Vec<Device>> {
    let devices: Vec<Device> = (0..n).map(|_| Device::new()).collect();
    for device in &devices {
        server.participant_page(g, device).await?;
    }
    console
        .act(Action::AddStep {
            at: 1,
            spec: triads()?,
        })
        .await??;
    console.act(Action::GoTo { step: StepId(2) }).await??;
    Ok(devices)
}

#[tokio::test]
async fn triads_practise_in_private_and_bring_back_what_two_agree_on() -> hearth_tests::Result<()> {
    let mut server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Practice", "blank").await?;
    let mut console = server.connect(&g.console_ws(), None, None).await?;
    let mut screen = server.connect(&g.screen_ws(), None, None).await?;
    let devices = in_triads(&server, &g, &mut console, 7).await?;
    let step = StepId(2);

    // Dealt on entering: 3 + 2 + 2, each phone with a sign and a place.
    let boards = boards(&server, &g, &devices).await?;
    let mut sizes = [0usize; 3];
    for b in &boards {
        sizes[b.sign.number - 1] += 1;
        assert_eq!(b.members as usize, [3, 2, 2][b.sign.number - 1]);
    }
    assert_eq!(sizes, [3, 2, 2]);
    screen
        .wait_for("the groups", |v| v.groups.is_some_and(|s| s.groups == 3))
        .await?;
    let in_group = |n, place| member(&devices, &boards, n, place);
    let (teller, listener, observer) = (in_group(1, 1)?, in_group(1, 2)?, in_group(1, 3)?);
    let outsider = in_group(2, 1)?;

    // A member writes by plain form: their group sees it at once, and
    // the phone says plainly first that the group will.
    let own_page = page_at(&server, teller, &format!("/p/{}", g.join_token)).await?;
    assert!(own_page.contains("Your group sees what you write here"));
    let form_id = action_id();
    let ours = "the words our triad keeps";
    let step_field = step.0.to_string();
    let write = [
        ("do", "write"),
        ("id", form_id.as_str()),
        ("step", step_field.as_str()),
        ("text", ours),
    ];
    let back = post(&server, &g, teller, &write).await?;
    assert!(back.contains("done=group"), "{back}");
    // The same form sent again stores nothing twice.
    post(&server, &g, teller, &write).await?;
    let theirs = "another triad's own words";
    post(
        &server,
        &g,
        outsider,
        &[("do", "write"), ("step", &step_field), ("text", theirs)],
    )
    .await?;
    let seen = board(&server, &g, listener).await?.ok_or("no group")?;
    let texts: Vec<&str> = seen.cards.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(texts, [ours], "one card, seen by the group, not theirs");
    let their_board = board(&server, &g, outsider).await?.ok_or("no group")?;
    assert!(their_board.cards.iter().all(|c| c.text != ours));
    let their_card = their_board.cards[0].id.clone();
    let our_card = seen.cards[0].id.clone();

    // Bad input, each named in the person's own view, changing nothing.
    let note = |tag: &'static str| [("do", "note"), ("step", "2"), ("tag", tag)];
    console.act(Action::GroupsRound { round: 1 }).await??;
    let cases: Vec<BadPost> = vec![
        (
            teller,
            vec![("do", "fly")],
            "malformed",
            "reach us properly",
        ),
        (
            teller,
            note("2").to_vec(),
            "not_observer",
            "observer notes disconnects",
        ),
        (
            teller,
            vec![("do", "propose"), ("card", their_card.as_str())],
            "not_your_group",
            "That card belongs to another group",
        ),
        (
            listener,
            vec![("do", "propose"), ("card", our_card.as_str())],
            "not_last_round",
            "Cards go back to the room in the last round",
        ),
        (
            teller,
            vec![("do", "write"), ("step", "2"), ("text", " ")],
            "empty",
            "Write something first",
        ),
        (
            teller,
            vec![("do", "note"), ("step", "2"), ("tag", "99")],
            "malformed",
            "reach us properly",
        ),
    ];
    for (device, form, code, words) in cases {
        let back = post(&server, &g, device, &form).await?;
        assert!(back.contains(&format!("error={code}")), "{form:?}: {back}");
        let said = page_at(&server, device, &back).await?;
        assert!(said.contains(words), "{form:?}: {words:?} not in the page");
    }
    // The facilitator cannot move the room on mid-round.
    assert_eq!(
        console.act(Action::GoTo { step: StepId(1) }).await?,
        Err(ErrorCode::MidRound)
    );
    assert_eq!(
        board(&server, &g, teller)
            .await?
            .ok_or("no group")?
            .cards
            .len(),
        1
    );

    // The observer notes a disconnect privately, then the roles swap.
    let observer_board = board(&server, &g, observer).await?.ok_or("no group")?;
    assert_eq!(observer_board.role, Some(Role::Observer));
    let noted = "probing, at the second question";
    post(
        &server,
        &g,
        observer,
        &[("do", "note"), ("step", "2"), ("tag", "2"), ("text", noted)],
    )
    .await?;
    let mine = board(&server, &g, observer).await?.ok_or("no group")?;
    assert!(mine.cards.iter().any(|c| c.text == noted && c.private));
    let others = board(&server, &g, teller).await?.ok_or("no group")?;
    assert!(
        others.cards.iter().all(|c| c.text != noted),
        "private to the observer"
    );

    // A crash: the groups and their boards come back as they were.
    server.restart().await?;
    let after = board(&server, &g, listener)
        .await?
        .ok_or("the groups were lost")?;
    assert_eq!(after.sign, seen.sign);
    assert_eq!(after.cards.len(), 1);
    assert!(board(&server, &g, observer)
        .await?
        .ok_or("no group")?
        .cards
        .iter()
        .any(|c| c.text == noted));
    let mut console = server.connect(&g.console_ws(), None, None).await?;
    let mut screen = server.connect(&g.screen_ws(), None, None).await?;

    // The last round: one proposes, the same one cannot agree, another does.
    console.act(Action::GroupsRound { round: 2 }).await??;
    let rotated = board(&server, &g, observer).await?.ok_or("no group")?;
    assert_eq!(
        rotated.role,
        Some(Role::Storyteller),
        "roles swap each round"
    );
    let card = our_card.as_str();
    post(&server, &g, teller, &[("do", "propose"), ("card", card)]).await?;
    let back = post(&server, &g, teller, &[("do", "agree"), ("card", card)]).await?;
    assert!(back.contains("error=needs_second_member"), "{back}");
    let back = post(&server, &g, listener, &[("do", "agree"), ("card", card)]).await?;
    assert!(back.contains("done=group"), "{back}");
    screen
        .wait_for("one group brought something", |v| {
            v.groups.is_some_and(|s| s.brought == 1)
        })
        .await?;
    console.act(Action::GroupsBack).await??;
    console.act(Action::Reveal).await??;
    screen
        .wait_for("the card brought back", |v| {
            v.cards
                .iter()
                .any(|c| c.text == ours && c.place == Place::Brought { group: Some(1) })
        })
        .await?;

    // Nobody outside a group saw a group's words: not the screen, not the
    // console, not the part every phone shares, not the exports.
    let shared = server
        .get(&format!("/p/{}/shared", g.join_token), Some(outsider))
        .await?
        .text()
        .await?;
    for words in [theirs, noted] {
        let view = serde_json::to_string(&screen.view)?;
        assert!(!view.contains(words), "the screen holds {words:?}");
        let view = serde_json::to_string(&console.view)?;
        assert!(!view.contains(words), "the console holds {words:?}");
        assert!(!shared.contains(words), "the shared part holds {words:?}");
    }
    for file in ["cards.csv", "summary.md", "gathering.json"] {
        let path = format!("/console/{}/export/{file}", g.console_secret);
        let text = server.get(&path, None).await?.text().await?;
        assert!(
            text.contains(ours),
            "{file} leaves out what was brought back"
        );
        assert!(
            !text.contains(theirs) && !text.contains(noted),
            "{file} holds a group's board"
        );
    }
    let harvest = server
        .get(&format!("/harvest/{}", g.console_secret), None)
        .await?
        .text()
        .await?;
    assert!(!harvest.contains(theirs) && !harvest.contains(noted));

    // The end forgets the groups: no phone has one, no board is stored.
    console.act(Action::End).await??;
    let after_end = server.participant_page(&g, teller).await;
    assert!(after_end.map_or(true, |p| p.group.is_none()));
    let stored = server.stored_bytes().await?;
    for words in [theirs, noted] {
        assert!(
            !hearth_tests::contains_bytes(&stored, words.as_bytes()),
            "{words:?} is still stored after the end"
        );
    }
    Ok(())
}

#[tokio::test]
async fn a_late_phone_joins_the_smallest_group_and_a_move_is_by_numbers_only(
) -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Late", "blank").await?;
    let mut console = server.connect(&g.console_ws(), None, None).await?;
    let devices = in_triads(&server, &g, &mut console, 5).await?;
    // Five in triads: a three and a two. The sixth joins the two.
    let late = Device::new();
    let seat = board(&server, &g, &late).await?.ok_or("not seated")?;
    assert_eq!((seat.sign.number, seat.members), (2, 3));
    // The facilitator moves group 1's first person to group 2.
    console
        .act(Action::GroupsMove {
            from: 1,
            place: 1,
            to: 2,
        })
        .await??;
    let mut sizes = [0u32; 2];
    for device in devices.iter().chain([&late]) {
        let b = board(&server, &g, device).await?.ok_or("no group")?;
        sizes[b.sign.number - 1] += 1;
    }
    assert_eq!(sizes, [2, 4]);
    // A move that would leave one alone, or names no one, changes nothing.
    for (from, place, to, code) in [
        (1, 1, 2, ErrorCode::WouldLeaveAlone),
        (3, 1, 1, ErrorCode::NoSuchGroup),
        (2, 9, 1, ErrorCode::NoSuchGroup),
    ] {
        let refused = console.act(Action::GroupsMove { from, place, to }).await?;
        assert_eq!(refused, Err(code), "{from} {place} {to}");
    }
    // A phone, a screen: neither may deal or move.
    let mut phone = server
        .connect(&g.participant_ws(), Some(&late), None)
        .await?;
    assert_eq!(
        phone
            .act(Action::GroupsDeal {
                forget_boards: true
            })
            .await?,
        Err(ErrorCode::NotAllowed)
    );
    let mut screen = server.connect(&g.screen_ws(), None, None).await?;
    assert_eq!(
        screen
            .act(Action::GroupsMove {
                from: 1,
                place: 1,
                to: 2
            })
            .await?,
        Err(ErrorCode::NotAllowed)
    );
    Ok(())
}

/// A phone's live link: its group and place when dealt, and the node it
/// is connected through.
struct Live {
    group: u32,
    place: u32,
    node: String,
    client: Client,
}

#[tokio::test]
async fn a_groups_news_reaches_its_own_phones_and_nobody_else() -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Heard", "blank").await?;
    let mut console = server.connect(&g.console_ws(), None, None).await?;
    let mut screen = server.connect(&g.screen_ws(), None, None).await?;
    // Six in triads: two groups of three.
    let devices = in_triads(&server, &g, &mut console, 6).await?;
    // On PostgreSQL, a second node relays the room (the first owns it,
    // having opened it): every phone is connected through both, and the
    // relay's connections hear exactly what the owner's do.
    let relay = match on_postgres() {
        true => Some(server.beside().await?),
        false => None,
    };
    let nodes: Vec<&TestServer> = [Some(&server), relay.as_ref()]
        .into_iter()
        .flatten()
        .collect();
    let dealt = boards(&server, &g, &devices).await?;
    let writer = member(&devices, &dealt, 1, 1)?;
    let mut phones = Vec::new();
    for (device, b) in devices.iter().zip(&dealt) {
        for node in &nodes {
            let client = node
                .connect(&g.participant_ws(), Some(device), None)
                .await?;
            let (group, place, node) = (b.sign.number as u32, b.place, node.base.clone());
            phones.push(Live {
                group,
                place,
                node,
                client,
            });
        }
    }

    // Group 1 writes: its phones are told, group 2's are not, nor the
    // console, nor the screen.
    let step = StepId(2).0.to_string();
    let write = [("do", "write"), ("step", step.as_str()), ("text", "ours")];
    post(&server, &g, writer, &write).await?;
    for p in phones.iter_mut() {
        if p.group == 1 {
            p.client.wait_for_group_news(1).await?;
        } else {
            // Everything sent to it by now has arrived: nothing of group 1.
            p.client.sync().await?;
            let news = &p.client.group_news;
            assert!(news.is_empty(), "{}: {news:?}", p.node);
        }
    }
    for view in [&mut console, &mut screen] {
        view.sync().await?;
        assert!(view.group_news.is_empty(), "{:?}", view.group_news);
    }

    // A person moved to group 2 is told as a member of group 2 (their
    // phone looks again), and group 1 hears of it too.
    for p in phones.iter_mut() {
        p.client.group_news.clear();
    }
    let (from, place, to) = (1, 1, 2);
    console
        .act(Action::GroupsMove { from, place, to })
        .await??;
    for p in phones.iter_mut() {
        let now_in = if (p.group, p.place) == (1, 1) {
            2
        } else {
            p.group
        };
        p.client.wait_for_group_news(now_in).await?;
        p.client.sync().await?;
        let (news, node) = (&p.client.group_news, &p.node);
        assert_eq!(
            news,
            &[now_in],
            "{node}: group {} person {}",
            p.group,
            p.place
        );
    }
    if let Some(relay) = &relay {
        let owns = relay.log().contains("this node owns the gathering now");
        assert!(!owns, "the second node relayed nothing: it owns the room");
    }
    Ok(())
}

#[tokio::test]
async fn a_facilitator_deals_again_between_practices_once_they_agree_to_let_the_boards_go(
) -> hearth_tests::Result<()> {
    let mut server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Again", "blank").await?;
    let mut console = server.connect(&g.console_ws(), None, None).await?;
    let devices = in_triads(&server, &g, &mut console, 6).await?;
    let boards = boards(&server, &g, &devices).await?;
    let in_group = |n, place| member(&devices, &boards, n, place);
    let (a, b, c) = (in_group(1, 1)?, in_group(1, 2)?, in_group(2, 1)?);

    // One card brought back, one left on group 2's board; the last round.
    let step = StepId(2).0.to_string();
    let brought = "what we chose to bring back";
    let left = "what stayed in our group";
    for (device, text) in [(a, brought), (c, left)] {
        let write = [("do", "write"), ("step", step.as_str()), ("text", text)];
        post(&server, &g, device, &write).await?;
    }
    console.act(Action::GroupsRound { round: 1 }).await??;
    let deal = |forget_boards| Action::GroupsDeal { forget_boards };
    // Mid-round: refused, even agreed to.
    assert_eq!(console.act(deal(true)).await?, Err(ErrorCode::MidRound));
    console.act(Action::GroupsRound { round: 2 }).await??;
    let card = board(&server, &g, a).await?.ok_or("no group")?.cards[0]
        .id
        .clone();
    let card = card.as_str();
    post(&server, &g, a, &[("do", "propose"), ("card", card)]).await?;
    post(&server, &g, b, &[("do", "agree"), ("card", card)]).await?;
    console.act(Action::GroupsBack).await??;

    // Everyone back: a deal asks first, and changes nothing until agreed.
    assert_eq!(
        console.act(deal(false)).await?,
        Err(ErrorCode::GroupsWriting)
    );
    let still = board(&server, &g, c).await?.ok_or("no group")?;
    assert!(still.cards.iter().any(|card| card.text == left));
    console.act(deal(true)).await??;
    console
        .wait_for("the fresh deal", |v| {
            v.groups
                .is_some_and(|s| (s.deal, s.round, s.back, s.brought) == (2, 0, false, 0))
        })
        .await?;

    // Fresh groups with empty boards, from the first round.
    for device in &devices {
        let fresh = board(&server, &g, device).await?.ok_or("not dealt")?;
        assert!(fresh.cards.is_empty(), "a board survived the deal");
    }
    console.act(Action::GroupsRound { round: 1 }).await??;
    // What stayed in a group is gone from the database too; what was
    // brought back is the room's, and the reveal shows it.
    let stored = server.stored_bytes().await?;
    assert!(
        !hearth_tests::contains_bytes(&stored, left.as_bytes()),
        "a forgotten board is still stored"
    );
    console.act(Action::GroupsBack).await??;
    console.act(Action::Reveal).await??;
    console
        .wait_for("the card brought back", |v| {
            v.cards.iter().any(|c| c.text == brought)
        })
        .await?;
    // And after a restart, the fresh groups are the ones that come back.
    server.restart().await?;
    let after = board(&server, &g, a).await?.ok_or("the groups were lost")?;
    assert!(after.cards.is_empty());
    Ok(())
}
