//! The worldview map through the real server: five phones write stories
//! and place them; the screen sees only the group's combined places, the
//! spread and the disagreement; the facilitator drags, gathers themes,
//! links, renames, zooms and dissolves; every bad placement is named and
//! changes nothing; and the map leaves as SVG, PNG, CSV, Markdown and JSON
//! (which starts a new gathering with the map as this room left it).

use app::i18n::I18n;
use app::map_svg::Drawing;
use hearth_core::error::ErrorCode;
use hearth_core::exercise::Place;
use hearth_core::gathering::GatheringView;
use hearth_core::ids::{CardId, StepId};
use hearth_core::locale::Locale;
use hearth_core::map::{MapChange, Placement, Point, Spot, ThemeId};
use hearth_core::marks::Mark;
use hearth_core::protocol::{Action, Moderation, Outcome};
use hearth_core::words::Label;
use hearth_tests::{reflection_at, Client, Device, TestServer};

const BIN: &str = env!("CARGO_BIN_EXE_hearth");

/// The ready introduction's map step (its fifth).
fn map_step(view: &GatheringView) -> StepId {
    view.steps[4].id
}

fn place(card: &CardId, at: Option<Spot>) -> Action {
    Action::Mark {
        mark: Mark::Place {
            card: card.clone(),
            at,
        },
    }
}

fn arrange(step: StepId, change: MapChange) -> Action {
    Action::Arrange { step, change }
}

fn label(text: &str) -> Label {
    Label::parse(text).expect("a label")
}

/// A gathering on the introduction agenda with its console, screen and
/// five phones, on the map step, each phone's story revealed.
struct Room {
    server: TestServer,
    g: hearth_tests::Gathering,
    console: Client,
    screen: Client,
    phones: Vec<Client>,
    step: StepId,
    /// Each phone's story, in the phones' order.
    cards: Vec<CardId>,
}

async fn room(name: &str) -> hearth_tests::Result<Room> {
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering(name, "introduction").await?;
    let mut console = server.connect(&g.console_ws(), None, None).await?;
    let mut screen = server.connect(&g.screen_ws(), None, None).await?;
    let mut phones = Vec::new();
    for _ in 0..5 {
        phones.push(
            server
                .connect(&g.participant_ws(), Some(&Device::new()), None)
                .await?,
        );
    }
    let step = map_step(console.view.as_ref().ok_or("no view")?);
    let cards = stories(&mut console, &mut screen, &mut phones, step).await?;
    Ok(Room {
        server,
        g,
        console,
        screen,
        phones,
        step,
        cards,
    })
}

/// Five phones on the map step with one story each, revealed; returns
/// each phone's story id, in the phones' order.
async fn stories(
    console: &mut Client,
    screen: &mut Client,
    phones: &mut [Client],
    step: StepId,
) -> hearth_tests::Result<Vec<CardId>> {
    console.act(Action::GoTo { step }).await??;
    let mut ids = Vec::new();
    for (i, phone) in phones.iter_mut().enumerate() {
        phone
            .wait_for("the map step", |v| v.current == step)
            .await?;
        match phone
            .act(reflection_at(
                step,
                &format!("Story {i}: what I was told"),
                Place::Board,
            ))
            .await??
        {
            Outcome::Added { card } => ids.push(card.id),
            other => return Err(format!("expected a card, got {other:?}").into()),
        }
    }
    console.act(Action::Reveal).await??;
    screen
        .wait_for("five stories", |v| v.cards_of(step).count() == 5)
        .await?;
    Ok(ids)
}

#[tokio::test]
async fn five_phones_place_stories_and_the_screen_sees_only_the_group() -> hearth_tests::Result<()>
{
    let Room {
        server,
        g,
        mut console,
        mut screen,
        mut phones,
        step,
        cards,
    } = room("Map").await?;
    let (agreed, torn) = (cards[0].clone(), cards[1].clone());

    // Two placements show nothing: with two, a place is a person's.
    for phone in phones.iter_mut().take(2) {
        phone
            .act(place(&agreed, Some(Spot { x: 0, y: 80 })))
            .await??;
    }
    screen.sync().await?;
    assert_eq!(
        screen
            .view
            .as_ref()
            .ok_or("no view")?
            .totals_of(step)
            .place(&agreed),
        Placement::Few
    );
    // Five agree on family, near hope; on the other card, fear against hope.
    for phone in phones.iter_mut().skip(2) {
        phone
            .act(place(&agreed, Some(Spot { x: 0, y: 90 })))
            .await??;
    }
    // Totals go out with the room's next flush, in order: had two
    // placements been shown, the first place the screen sees would count
    // two people.
    screen
        .wait_for("the agreed card placed", |v| {
            v.totals_of(step).place(&agreed).at().is_some()
        })
        .await?;
    let first = screen.view.as_ref().ok_or("no view")?.totals_of(step);
    let Placement::Placed { cloud, .. } = first.place(&agreed) else {
        return Err("the agreed card is placed".into());
    };
    assert!(
        cloud.iter().map(|c| c.people).sum::<u32>() >= 3,
        "first shown with {cloud:?}"
    );
    for (i, phone) in phones.iter_mut().enumerate() {
        let y = if i % 2 == 0 { 0 } else { 100 };
        phone.act(place(&torn, Some(Spot { x: 4, y }))).await??;
    }
    screen
        .wait_for("both cards placed", |v| {
            let t = v.totals_of(step);
            t.place(&agreed).at().is_some() && t.place(&torn).at().is_some()
        })
        .await?;
    let seen = screen.view.as_ref().ok_or("no view")?.totals_of(step);
    let Placement::Placed { at, cloud, .. } = seen.place(&agreed) else {
        return Err("the agreed card is placed".into());
    };
    assert_eq!(
        at,
        Point { x: 83, y: 860 },
        "family, and the mean of 80,80,90,90,90"
    );
    assert_eq!(cloud.iter().map(|c| c.people).sum::<u32>(), 5);
    assert!(!seen.place(&agreed).split());
    assert!(seen.place(&torn).split(), "fear against hope is marked");
    assert_eq!(seen.place(&torn).at().map(|p| p.x), Some(750), "media");

    // The screen draws both, the torn one marked.
    let drawing = Drawing::of(
        screen.view.as_ref().ok_or("no view")?,
        step,
        I18n(Locale::En),
    )
    .ok_or("a map")?;
    assert_eq!(drawing.cards.len(), 2);
    assert_eq!(drawing.unplaced, 3);
    assert!(drawing.cards.iter().any(|c| c.id == torn && c.split));

    // A person moves and takes back their own placement; one each.
    phones[0]
        .act(place(&agreed, Some(Spot { x: 5, y: 90 })))
        .await??;
    phones[0].act(place(&agreed, None)).await??;
    assert!(phones[0]
        .marks
        .iter()
        .all(|m| !matches!(m, Mark::Place { card, .. } if *card == agreed)));
    screen
        .wait_for("four left on the agreed card", |v| {
            matches!(v.totals_of(step).place(&agreed), Placement::Placed { ref cloud, .. } if cloud.iter().map(|c| c.people).sum::<u32>() == 4)
        })
        .await?;
    let after = screen.view.as_ref().ok_or("no view")?.totals_of(step);
    assert!(after.place(&agreed).at().is_some());

    // Bad placements are named and change nothing.
    let before = screen.view.clone().ok_or("no view")?.totals_of(step);
    assert_eq!(
        phones[1]
            .act(place(&agreed, Some(Spot { x: 6, y: 50 })))
            .await?,
        Err(ErrorCode::OutsideMap),
        "six categories: 0 to 5"
    );
    assert_eq!(
        phones[1]
            .act(place(&agreed, Some(Spot { x: 2, y: 101 })))
            .await?,
        Err(ErrorCode::OutsideMap),
        "the scale ends at 100"
    );
    assert_eq!(
        phones[1]
            .act(place(&CardId::from_random(99), Some(Spot { x: 1, y: 1 })))
            .await?,
        Err(ErrorCode::UnknownCard)
    );
    let hidden = cards[2].clone();
    console
        .act(Action::Moderate {
            card: hidden.clone(),
            change: Moderation::Hide,
        })
        .await??;
    assert_eq!(
        phones[1]
            .act(place(&hidden, Some(Spot { x: 1, y: 1 })))
            .await?,
        Err(ErrorCode::UnknownCard),
        "a hidden card cannot be placed"
    );
    // The author of the fourth story withdraws it; it cannot be placed.
    let mine = cards[3].clone();
    phones[3]
        .act(Action::Withdraw { card: mine.clone() })
        .await??;
    assert_eq!(
        phones[1]
            .act(place(&mine, Some(Spot { x: 1, y: 1 })))
            .await?,
        Err(ErrorCode::UnknownCard),
        "a withdrawn card cannot be placed"
    );
    // Nor resonated into a place on a step that is not a map.
    let board = console.view.as_ref().ok_or("no view")?.steps[0].id;
    console.act(Action::GoTo { step: board }).await??;
    phones[1]
        .wait_for("the board", |v| v.current == board)
        .await?;
    phones[1]
        .act(reflection_at(board, "A board card", Place::Board))
        .await??;
    console.act(Action::Reveal).await??;
    screen
        .wait_for("the board card", |v| v.cards_of(board).count() == 1)
        .await?;
    let board_card = screen.card_ids_of(board)[0].clone();
    assert_eq!(
        phones[1]
            .act(place(&board_card, Some(Spot { x: 1, y: 1 })))
            .await?,
        Err(ErrorCode::WrongPlace),
        "a board is not a map"
    );
    console.act(Action::GoTo { step }).await??;
    // A sixth person joins: the room's figures change, and the flush that
    // sends them sends every total due before them (a change made by the
    // refusals, the hiding or the withdrawal would be among them).
    let _sixth = server
        .connect(&g.participant_ws(), Some(&Device::new()), None)
        .await?;
    screen
        .wait_for("six people", |v| v.tally.people == Some(6))
        .await?;
    screen.sync().await?;
    let now = screen.view.clone().ok_or("no view")?.totals_of(step);
    assert_eq!(now.place(&agreed), before.place(&agreed));
    assert_eq!(now.place(&torn), before.place(&torn));
    assert_eq!(now.place(&hidden), Placement::Few);

    // Only the facilitator arranges.
    assert_eq!(
        phones[0]
            .act(arrange(step, MapChange::Zoom { theme: None }))
            .await?,
        Err(ErrorCode::NotAllowed)
    );
    Ok(())
}

#[tokio::test]
async fn the_facilitator_arranges_and_the_map_leaves_as_files() -> hearth_tests::Result<()> {
    let Room {
        server,
        g,
        mut console,
        mut screen,
        mut phones,
        step,
        cards,
    } = room("Map files").await?;
    for (i, phone) in phones.iter_mut().enumerate() {
        for (j, card) in cards.iter().enumerate() {
            let at = Spot {
                x: (j % 6) as u8,
                y: (20 * i + 10 * j).min(100) as u8,
            };
            phone.act(place(card, Some(at))).await??;
        }
    }

    screen
        .wait_for("every story placed", |v| {
            cards
                .iter()
                .all(|c| v.totals_of(step).place(c).at().is_some())
        })
        .await?;

    // Themes: two started with cards, one renamed, linked, zoomed.
    console
        .act(Action::NewTheme {
            step,
            name: label("Told at home"),
            cards: cards[..2].to_vec(),
        })
        .await??;
    console
        .act(Action::NewTheme {
            step,
            name: label("Services"),
            cards: vec![cards[2].clone()],
        })
        .await??;
    let (home, services) = (ThemeId(1), ThemeId(2));
    console
        .act(arrange(
            step,
            MapChange::Name {
                theme: services,
                name: label("Services and systems"),
            },
        ))
        .await??;
    console
        .act(arrange(
            step,
            MapChange::Link {
                from: home,
                to: services,
                label: label("taught the same fear").into(),
            },
        ))
        .await??;
    console
        .act(arrange(
            step,
            MapChange::Pin {
                card: cards[4].clone(),
                at: Some(Point { x: 950, y: 950 }),
            },
        ))
        .await??;
    // Bad arrangements: a point off the map, a theme that is not there, a
    // new theme holding a card that is not on this map.
    let off = arrange(
        step,
        MapChange::Pin {
            card: cards[4].clone(),
            at: Some(Point { x: 1001, y: 0 }),
        },
    );
    assert_eq!(console.act(off).await?, Err(ErrorCode::OutsideMap));
    assert_eq!(
        console
            .act(arrange(
                step,
                MapChange::Zoom {
                    theme: Some(ThemeId(9))
                }
            ))
            .await?,
        Err(ErrorCode::UnknownTheme)
    );
    assert_eq!(
        console
            .act(Action::NewTheme {
                step,
                name: label("Stray"),
                cards: vec![CardId::from_random(5)],
            })
            .await?,
        Err(ErrorCode::UnknownCard)
    );
    let board = console.view.as_ref().ok_or("no view")?.steps[0].id;
    assert_eq!(
        console
            .act(arrange(board, MapChange::Zoom { theme: None }))
            .await?,
        Err(ErrorCode::WrongPlace),
        "a board has no map to arrange"
    );
    screen
        .wait_for("the arrangement", |v| {
            v.step(step)
                .is_some_and(|s| s.arrangement.links.len() == 1 && s.arrangement.pins.len() == 1)
        })
        .await?;
    let seen = screen.view.clone().ok_or("no view")?;
    let arrangement = &seen.step(step).ok_or("the step")?.arrangement;
    assert_eq!(
        arrangement.themes.len(),
        2,
        "the stray theme changed nothing"
    );
    assert_eq!(
        arrangement.theme(services).map(|t| t.name.as_str()),
        Some("Services and systems")
    );
    assert_eq!(arrangement.theme_of(&cards[1]).map(|t| t.id), Some(home));

    // The files: SVG with every visible card and theme, PNG of the same.
    let export = |file: String| {
        let path = format!("/console/{}/export/{file}", g.console_secret);
        let server = &server;
        async move {
            let response = server.get(&path, None).await?;
            assert!(
                response.status().is_success(),
                "{path}: {}",
                response.status()
            );
            let kind = response
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            Ok::<_, hearth_tests::Error>((kind, response.bytes().await?.to_vec()))
        }
    };
    let (kind, svg) = export(format!("map-{}.svg", step.0)).await?;
    assert!(kind.starts_with("image/svg+xml"));
    let svg = String::from_utf8(svg)?;
    let doc = roxmltree::Document::parse(&svg)?;
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let texts: String = doc
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join(" ");
    for i in 0..5 {
        assert!(
            texts.contains(&format!("Story {i}: what I was told")),
            "story {i}"
        );
    }
    for theme in [
        "Told at home",
        "Services and systems",
        "taught the same fear",
    ] {
        assert!(texts.contains(theme), "{theme}");
    }
    let (kind, png) = export(format!("map-{}.png", step.0)).await?;
    assert_eq!(kind, "image/png");
    let artifacts = hearth_tests::workspace_root().join("tests/artifacts");
    std::fs::create_dir_all(&artifacts)?;
    std::fs::write(artifacts.join("map-export.png"), &png)?;
    let pixmap = resvg::tiny_skia::Pixmap::decode_png(&png)?;
    // The map, with its prompt written in a band above it.
    assert_eq!(pixmap.width(), 1600);
    let band = pixmap
        .height()
        .checked_sub(900)
        .ok_or("a band above the map")?;
    assert!(band > 0, "the prompt is written above the map");
    assert!(
        texts.contains("Worldview map:"),
        "the prompt is in the file"
    );
    // Every card and theme the drawing holds has ink where it is drawn.
    let drawing = Drawing::of(&seen, step, I18n(Locale::En)).ok_or("a map")?;
    assert_eq!(drawing.cards.len(), 5);
    let inked = |r: app::map_svg::Rect| {
        let (x0, y0) = (r.x.max(0.0) as u32, r.y.max(0.0) as u32 + band);
        let (x1, y1) = ((r.x + r.w) as u32, (r.y + r.h) as u32 + band);
        (y0..y1.min(900 + band)).any(|y| {
            (x0..x1.min(1600)).any(|x| {
                pixmap.pixel(x, y).is_some_and(|p| {
                    u16::from(p.red()) + u16::from(p.green()) + u16::from(p.blue()) < 200
                })
            })
        })
    };
    for card in &drawing.cards {
        assert!(inked(card.rect), "card {} is drawn in the PNG", card.number);
    }
    for theme in &drawing.themes {
        let label = app::map_svg::Rect {
            y: theme.rect.y - 24.0,
            h: 24.0,
            ..theme.rect
        };
        assert!(
            (label.y as u32 + band..theme.rect.y as u32 + band)
                .any(|y| (label.x as u32..(label.x + 120.0) as u32)
                    .any(|x| pixmap.pixel(x, y).is_some_and(|p| p.red() < 200))),
            "theme {} is named in the PNG",
            theme.name
        );
    }
    // Not a map, or not a step: not found.
    let missing = server
        .get(
            &format!("/console/{}/export/map-{}.svg", g.console_secret, board.0),
            None,
        )
        .await?;
    assert_eq!(missing.status(), reqwest::StatusCode::NOT_FOUND);

    // CSV: the theme and the map columns.
    let (_, csv) = export("cards.csv".into()).await?;
    let csv = String::from_utf8(csv)?;
    let header: Vec<&str> = csv.lines().next().ok_or("a header")?.split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name);
    let (theme_col, across_col) = (
        col("theme").ok_or("theme")?,
        col("map_across").ok_or("map_across")?,
    );
    let row = csv
        .lines()
        .find(|l| l.contains("Story 1: what I was told"))
        .ok_or("story 1's row")?;
    let fields: Vec<&str> = row.split(',').collect();
    assert_eq!(fields[theme_col], "Told at home");
    assert_eq!(fields[across_col], "School or work");

    // JSON: the map travels, and a new gathering starts as this one ended.
    let (_, json) = export("gathering.json".into()).await?;
    let value: serde_json::Value = serde_json::from_slice(&json)?;
    let exported = &value["steps"][4];
    assert!(exported["map_svg"]
        .as_str()
        .is_some_and(|s| s.starts_with("<svg")));
    assert_eq!(
        exported["arrangement"]["themes"].as_array().map(Vec::len),
        Some(2)
    );
    let form = reqwest::multipart::Form::new()
        .text("name", "Map again")
        .text("cards", "on")
        .part(
            "file",
            reqwest::multipart::Part::bytes(json).file_name("gathering.json"),
        );
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?
        .post(format!("{}/start/import", server.base))
        .multipart(form)
        .send()
        .await?;
    let console_path = hearth_tests::redirect_target(&response).ok_or("the import redirects")?;
    let secret = console_path.rsplit('/').next().ok_or("a secret")?;
    let copy = server
        .connect(&format!("/ws/console/{secret}"), None, None)
        .await?;
    let copied = copy.view.as_ref().ok_or("no view")?;
    let copied_step = copied.steps[4].id;
    let again = Drawing::of(copied, copied_step, I18n(Locale::En)).ok_or("a map")?;
    assert_eq!(again.cards.len(), 5, "every card keeps its place");
    assert_eq!(again.themes.len(), 2);
    assert_eq!(again.links.len(), 1);
    assert!(
        copied.cards.iter().all(|c| !cards.contains(&c.id)),
        "new ids"
    );

    // Dissolving a theme keeps its cards and drops its link; zoom follows.
    console
        .act(arrange(step, MapChange::Zoom { theme: Some(home) }))
        .await??;
    screen
        .wait_for("zoomed", |v| {
            v.step(step)
                .is_some_and(|s| s.arrangement.zoom == Some(home))
        })
        .await?;
    let zoomed = screen.view.clone().ok_or("no view")?;
    let drawn = Drawing::of(&zoomed, step, I18n(Locale::En)).ok_or("a map")?;
    assert_eq!(drawn.cards.len(), 2, "only the theme's cards");
    console
        .act(arrange(step, MapChange::Dissolve { theme: home }))
        .await??;
    screen
        .wait_for("dissolved", |v| {
            v.step(step)
                .is_some_and(|s| s.arrangement.themes.len() == 1)
        })
        .await?;
    let after = screen.view.clone().ok_or("no view")?;
    let a = &after.step(step).ok_or("the step")?.arrangement;
    assert!(a.links.is_empty() && a.zoom.is_none());
    assert_eq!(after.visible_cards(step).count(), 5);
    Ok(())
}
