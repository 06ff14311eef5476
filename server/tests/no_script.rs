//! Taking part without the page's script: a phone on a slow network has
//! the server-rendered page before its script (and one with scripts off
//! never runs it), and every choice on it is a plain form, the same forms
//! the script sends. Here one phone takes part only by
//! posting forms (a point on the spectrum, tags, a resonance, dots, a place
//! on the map, withdrawing) while the room runs over real WebSockets, and
//! what it chose is what the server keeps; bad posts get a named reason
//! and change nothing.

use hearth_core::exercise::{Exercise, ExerciseKind, Place};
use hearth_core::gathering::GatheringView;
use hearth_core::ids::{CardId, StepId};
use hearth_core::map::Spot;
use hearth_core::marks::{Mark, Tag, Target};
use hearth_core::protocol::Action;
use hearth_tests::{redirect_target, Client, Device, Gathering, TestServer};

const BIN: &str = env!("CARGO_BIN_EXE_hearth");

/// The first step of a kind in the agenda.
fn step_of(view: &GatheringView, kind: ExerciseKind) -> hearth_tests::Result<StepId> {
    view.steps
        .iter()
        .find(|s| s.exercise.kind() == kind)
        .map(|s| s.id)
        .ok_or_else(|| format!("no {kind:?} step").into())
}

/// A phone that only posts forms, as one does before its script runs.
struct FormPhone<'a> {
    server: &'a TestServer,
    g: &'a Gathering,
    device: Device,
}

impl FormPhone<'_> {
    /// Posts a form to `/p/<token>/<what>` and returns where it sends the
    /// browser next.
    async fn post(&self, what: &str, form: &[(&str, &str)]) -> hearth_tests::Result<String> {
        let response = self
            .server
            .http
            .post(format!(
                "{}/p/{}/{what}",
                self.server.base, self.g.join_token
            ))
            .header("cookie", self.device.cookie())
            .form(form)
            .send()
            .await?;
        redirect_target(&response)
            .ok_or_else(|| format!("{what}: answered {}", response.status()).into())
    }

    /// Posts a mark's form (`/p/<token>/mark`).
    async fn mark(&self, fields: &[(&str, String)]) -> hearth_tests::Result<String> {
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.post("mark", &pairs).await
    }

    /// The marks the server keeps for this phone.
    async fn marks(&self) -> hearth_tests::Result<Vec<Mark>> {
        Ok(self
            .server
            .participant_page(self.g, &self.device)
            .await?
            .marks)
    }

    async fn mark_of(&self, target: &Target) -> hearth_tests::Result<Option<Mark>> {
        Ok(self
            .marks()
            .await?
            .into_iter()
            .find(|m| &m.target() == target))
    }

    fn page(&self, after: &str) -> String {
        format!("/p/{}{after}", self.g.join_token)
    }
}

async fn go(console: &mut Client, phone: &mut Client, step: StepId) -> hearth_tests::Result<()> {
    console.act(Action::GoTo { step }).await??;
    phone.wait_for("the step", |v| v.current == step).await?;
    Ok(())
}

/// A page or part as a phone fetches it, as text.
async fn text_of(
    server: &TestServer,
    path: String,
    device: &Device,
) -> hearth_tests::Result<String> {
    Ok(server.get(&path, Some(device)).await?.text().await?)
}

#[tokio::test]
async fn a_phone_without_its_script_places_tags_votes_resonates_and_withdraws(
) -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let g = server
        .create_gathering("Slow phones", "introduction")
        .await?;
    let mut console = server.connect(&g.console_ws(), None, None).await?;
    let mut live = server
        .connect(&g.participant_ws(), Some(&Device::new()), None)
        .await?;
    let view = console.view.clone().ok_or("no view")?;
    let phone = FormPhone {
        server: &server,
        g: &g,
        device: Device::new(),
    };
    let marked = |card: Option<&CardId>| match card {
        Some(card) => phone.page(&format!("?done=marked#card-{}", card.as_str())),
        None => phone.page("?done=marked"),
    };

    // A board: the phone's own reflection (by form), a resonance on
    // someone else's card, and then withdrawing its own.
    let board = step_of(&view, ExerciseKind::Board)?;
    let other = live
        .add(board, "Someone else's words", Place::Board)
        .await?;
    let received = phone
        .post(
            "reflect",
            &[
                ("id", "slow-phone-0001"),
                ("step", &board.0.to_string()),
                ("text", "Mine, sent slowly"),
            ],
        )
        .await?;
    assert!(
        received.starts_with(&phone.page("/received?card=")),
        "{received}"
    );
    console.act(Action::Reveal).await??;
    let resonate = [
        ("mark", "resonate"),
        ("card", other.as_str()),
        ("on", "true"),
    ];
    assert_eq!(phone.post("mark", &resonate).await?, marked(Some(&other)));
    assert_eq!(
        phone.mark_of(&Target::Resonate(other.clone())).await?,
        Some(Mark::Resonate {
            card: other.clone(),
            on: true
        })
    );
    // Sent again (a reload, a double tap): still one resonance.
    assert_eq!(phone.post("mark", &resonate).await?, marked(Some(&other)));
    console
        .wait_for("one resonance", |v| v.totals_of(board).card(&other) == 1)
        .await?;
    let off = [
        ("mark", "resonate"),
        ("card", other.as_str()),
        ("on", "false"),
    ];
    phone.post("mark", &off).await?;
    assert_eq!(phone.mark_of(&Target::Resonate(other.clone())).await?, None);

    let mine = phone.server.participant_page(&g, &phone.device).await?.mine;
    let own = mine
        .first()
        .ok_or("the phone has no reflection")?
        .id
        .clone();
    assert_eq!(
        phone.post("withdraw", &[("card", own.as_str())]).await?,
        phone.page("?done=withdrawn")
    );
    assert!(phone
        .server
        .participant_page(&g, &phone.device)
        .await?
        .mine
        .is_empty());
    console
        .wait_for("the card gone", |v| v.cards.iter().all(|c| c.id != own))
        .await?;
    // Withdrawn twice, or someone else's: a reason, and nothing changes.
    assert!(phone
        .post("withdraw", &[("card", own.as_str())])
        .await?
        .starts_with(&phone.page("?error=")));
    assert!(phone
        .post("withdraw", &[("card", other.as_str())])
        .await?
        .starts_with(&phone.page("?error=")));
    assert_eq!(
        phone.post("withdraw", &[("card", "not a card")]).await?,
        phone.page("?error=malformed")
    );
    assert!(console
        .view
        .as_ref()
        .ok_or("no view")?
        .cards
        .iter()
        .any(|c| c.id == other));

    // A spectrum: a point, a bad point, taking it back.
    let spectrum = step_of(&view, ExerciseKind::Spectrum)?;
    go(&mut console, &mut live, spectrum).await?;
    let place = |at: &str| {
        vec![
            ("mark", "spectrum".to_owned()),
            ("step", spectrum.0.to_string()),
            ("at", at.to_owned()),
        ]
    };
    assert_eq!(phone.mark(&place("30")).await?, marked(None));
    let target = Target::Spectrum(spectrum);
    let at_30 = Some(Mark::Spectrum {
        step: spectrum,
        at: Some(30),
    });
    assert_eq!(phone.mark_of(&target).await?, at_30);
    assert_eq!(
        phone.mark(&place("thirty")).await?,
        phone.page("?error=malformed")
    );
    assert!(phone
        .mark(&place("101"))
        .await?
        .starts_with(&phone.page("?error=")));
    assert_eq!(phone.mark_of(&target).await?, at_30);
    let mut back = place("30");
    back.push(("take_back", "1".to_owned()));
    assert_eq!(phone.mark(&back).await?, marked(None));
    assert_eq!(phone.mark_of(&target).await?, None);

    // A scenario: a tag on a shown line; an unknown tag changes nothing.
    let scenario = step_of(&view, ExerciseKind::Scenario)?;
    go(&mut console, &mut live, scenario).await?;
    console
        .act(Action::ShowLines {
            step: scenario,
            count: 2,
        })
        .await??;
    let tag = |line: &str, tag: &str| {
        vec![
            ("mark", "tag".to_owned()),
            ("step", scenario.0.to_string()),
            ("line", line.to_owned()),
            ("tag", tag.to_owned()),
        ]
    };
    let probing = Tag::Probing.index().to_string();
    assert_eq!(phone.mark(&tag("1", &probing)).await?, marked(None));
    assert_eq!(
        phone.mark_of(&Target::Tag(scenario, 1)).await?,
        Some(Mark::Tag {
            step: scenario,
            line: 1,
            tag: Some(Tag::Probing)
        })
    );
    assert_eq!(
        phone.mark(&tag("1", "99")).await?,
        phone.page("?error=malformed")
    );
    assert!(
        phone
            .mark(&tag("5", &probing))
            .await?
            .starts_with(&phone.page("?error=")),
        "a line not shown yet"
    );
    assert_eq!(
        phone.mark(&tag("1", "")).await?,
        marked(None),
        "no tag takes it back"
    );
    assert_eq!(phone.mark_of(&Target::Tag(scenario, 1)).await?, None);

    // Moving towards: dots within the budget.
    let towards = step_of(&view, ExerciseKind::MovingTowards)?;
    go(&mut console, &mut live, towards).await?;
    let statement = live
        .add(towards, "Towards listening", Place::Toward { from: None })
        .await?;
    console.act(Action::Reveal).await??;
    let dots = |n: &str| {
        vec![
            ("mark", "vote".to_owned()),
            ("card", statement.as_str().to_owned()),
            ("dots", n.to_owned()),
        ]
    };
    let two = Some(Mark::Vote {
        card: statement.clone(),
        dots: 2,
    });
    assert_eq!(phone.mark(&dots("2")).await?, marked(Some(&statement)));
    assert_eq!(phone.mark_of(&Target::Vote(statement.clone())).await?, two);
    assert!(
        phone
            .mark(&dots("200"))
            .await?
            .starts_with(&phone.page("?error=")),
        "over the budget"
    );
    assert_eq!(
        phone.mark(&dots("-1")).await?,
        phone.page("?error=malformed")
    );
    assert_eq!(phone.mark_of(&Target::Vote(statement.clone())).await?, two);

    // The map: a mini-map button, the two lists, a place off the map,
    // taking it back.
    let map = step_of(&view, ExerciseKind::Map)?;
    go(&mut console, &mut live, map).await?;
    let story = live
        .add(map, "Learned at my grandmother's table", Place::Board)
        .await?;
    console.act(Action::Reveal).await??;
    let Some(Exercise::Map { across, up }) = view.step(map).map(|s| s.exercise.clone()) else {
        return Err("the map step has no axes".into());
    };
    let place_on_map = |field: &'static str, value: String| {
        vec![
            ("mark", "place".to_owned()),
            ("card", story.as_str().to_owned()),
            (field, value),
        ]
    };
    let placed = |x, y| {
        Some(Mark::Place {
            card: story.clone(),
            at: Some(Spot { x, y }),
        })
    };
    // One mini-map at a time: the board offers "Place it" on each story,
    // and the page asked for with `?place=<story>` (the link's) carries
    // that story's mini-map, as does the own part the script asks for.
    let html = |path: String| text_of(&server, path, &phone.device);
    let token = &g.join_token;
    let maps = |html: &str| html.matches("class=\"mini-map\"").count();
    let board = html(format!("/p/{token}")).await?;
    assert_eq!(maps(&board), 0, "no mini-map before one is asked for");
    let link = format!("?place={}#place-{}", story.as_str(), story.as_str());
    assert!(
        board.contains(&link.replace('&', "&amp;")),
        "a link to place it"
    );
    let placing = html(format!("/p/{token}?place={}", story.as_str())).await?;
    assert_eq!(maps(&placing), 1, "the story being placed has its mini-map");
    let own = html(format!("/p/{token}/mine?place={}", story.as_str())).await?;
    assert_eq!(maps(&own), 1, "and so has the own part asked for it");
    let shared = html(format!("/p/{token}/shared")).await?;
    assert_eq!(maps(&shared), 0, "the shared part carries none");
    let nonsense = html(format!("/p/{token}?place=%3Cscript%3E")).await?;
    assert_eq!(
        maps(&nonsense),
        0,
        "a place that names no card opens nothing"
    );
    let (x, y) = (across.choices()[1].0, up.choices()[3].0);
    assert_eq!(
        phone
            .mark(&place_on_map("spot", format!("{x},{y}")))
            .await?,
        marked(Some(&story))
    );
    assert_eq!(
        phone.mark_of(&Target::Place(story.clone())).await?,
        placed(x, y)
    );
    // Placed, the story says so (no mini-map), on the page and in the
    // phone's own part.
    for path in [
        format!("/p/{token}"),
        format!("/p/{token}/mine?done=marked"),
    ] {
        let after = html(path).await?;
        assert!(after.contains("You placed this one."), "{after}");
        assert_eq!(maps(&after), 0);
    }
    let (x2, y2) = (across.choices()[0].0, up.choices()[0].0);
    let mut lists = place_on_map("across", x2.to_string());
    lists.push(("up", y2.to_string()));
    assert_eq!(phone.mark(&lists).await?, marked(Some(&story)));
    assert_eq!(
        phone.mark_of(&Target::Place(story.clone())).await?,
        placed(x2, y2)
    );
    let off_map = place_on_map("spot", "250,250".to_owned());
    assert!(phone
        .mark(&off_map)
        .await?
        .starts_with(&phone.page("?error=")));
    assert_eq!(
        phone.mark_of(&Target::Place(story.clone())).await?,
        placed(x2, y2)
    );
    let take_back = place_on_map("take_back", "1".to_owned());
    assert_eq!(phone.mark(&take_back).await?, marked(Some(&story)));
    assert_eq!(phone.mark_of(&Target::Place(story.clone())).await?, None);

    // Not a mark at all: a reason, nothing kept. A gathering that is not
    // there: its page says so.
    assert_eq!(
        phone.mark(&[("mark", "wave".to_owned())]).await?,
        phone.page("?error=malformed")
    );
    let nowhere = "0".repeat(32);
    let lost = server
        .http
        .post(format!("{}/p/{nowhere}/mark", server.base))
        .header("cookie", phone.device.cookie())
        .form(&[
            ("mark", "resonate"),
            ("card", story.as_str()),
            ("on", "true"),
        ])
        .send()
        .await?;
    assert_eq!(redirect_target(&lost), Some(format!("/p/{nowhere}")));
    // Answered, so done with: the phone holds no resonance here (its own
    // marks are read at once; the room's totals go out with its next flush).
    assert_eq!(phone.mark_of(&Target::Resonate(story.clone())).await?, None);
    console.sync().await?;
    assert_eq!(
        console
            .view
            .as_ref()
            .ok_or("no view")?
            .totals_of(map)
            .card(&story),
        0
    );

    // The page the phone lands on says it was kept, in words.
    let page = server
        .get(&marked(None), Some(&phone.device))
        .await?
        .text()
        .await?;
    assert!(page.contains("Saved. The room sees only totals."), "{page}");
    Ok(())
}
