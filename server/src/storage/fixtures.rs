//! What the backends' tests store: the same gatherings, cards and
//! batches for SQLite and PostgreSQL, so both are held to the same facts.

use crate::storage::{Batch, NewGathering, Op, Storage};
use hearth_core::gathering::GatheringView;
use hearth_core::ids::JoinCode;
use hearth_core::protocol::Outcome;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The tables that hold a gathering's rows.
pub const TABLES: [&str; 7] = [
    "gatherings",
    "events",
    "cards",
    "participants",
    "applied_actions",
    "marks",
    "checkpoints",
];

/// A join code made from a number, distinct for each gathering.
pub fn code(n: usize) -> JoinCode {
    JoinCode::from_indices([n % 7, n / 7 % 7, 1, 2, 3, 4])
}

pub fn new_gathering(id: &str, n: usize, created_at: i64) -> NewGathering {
    NewGathering {
        id: id.to_owned(),
        console_hash: format!("console-{id}"),
        cofacilitator_hash: format!("co-{id}"),
        screen_hash: format!("screen-{id}"),
        join_token: format!("token-{id}"),
        code: code(n),
        salt: vec![1, 2, 3],
        epoch: 1,
        genesis: GatheringView::new(format!("Gathering {id}"), Vec::new()),
        created_at,
    }
}

/// A card id (16 hex digits) made from a name.
pub fn card_id(name: &str) -> String {
    format!(
        "{:016x}",
        name.bytes().fold(7u64, |h, b| h * 31 + u64::from(b))
    )
}

/// One participant's card, mark and applied action, the facilitator's
/// applied action, an event and a checkpoint, for gathering `id`.
pub fn everything_in(id: &str) -> Result<Batch> {
    let ops = vec![
        Op::AddParticipant {
            author: format!("author-{id}"),
        },
        Op::AddCard {
            id: card_id(id),
            step: 1,
            author: format!("author-{id}"),
            text: format!("words of {id} card"),
            place: r#"{"at":"board"}"#.into(),
            sensitive: false,
        },
        Op::SetMark {
            author: format!("author-{id}"),
            target: "s:1".into(),
            value: 40,
        },
        Op::RecordApplied {
            actor: format!("author-{id}"),
            action: "action-1".into(),
            outcome: "{}".into(),
        },
        Op::RecordApplied {
            actor: "facilitator".into(),
            action: "action-2".into(),
            outcome: serde_json::to_string(&Outcome::Done)?,
        },
        Op::AppendEvent {
            seq: 1,
            body: "{}".into(),
        },
        Op::Checkpoint {
            seq: 1,
            body: serde_json::to_string(&crate::room::Checkpoint::of(
                1,
                &GatheringView::new(format!("words of {id}"), Vec::new()),
                &Default::default(),
                &Default::default(),
            ))?,
        },
    ];
    Ok(Batch {
        gathering: id.to_owned(),
        ops,
        fence: None,
    })
}

/// A batch for `gathering` that breaks a key in its second op (event 1
/// exists already), after a card that must then not be stored either.
pub fn failing_batch(gathering: &str) -> Batch {
    Batch {
        gathering: gathering.into(),
        ops: vec![
            Op::AddCard {
                id: card_id("new"),
                step: 1,
                author: format!("author-{gathering}"),
                text: "never stored".into(),
                place: r#"{"at":"board"}"#.into(),
                sensitive: false,
            },
            Op::AppendEvent {
                seq: 1,
                body: "{}".into(),
            },
        ],
        fence: None,
    }
}

pub fn next_event(gathering: &str) -> Batch {
    Batch {
        gathering: gathering.into(),
        ops: vec![Op::AppendEvent {
            seq: 2,
            body: "{}".into(),
        }],
        fence: None,
    }
}

/// Templates on any backend: saved with a gathering's batch, listed
/// newest first, read one by one, deleted. The gathering `a` must exist;
/// its rows are the caller's to check untouched.
pub async fn templates_are_saved_listed_newest_first_and_deleted(
    store: &dyn Storage,
) -> Result<()> {
    let agenda = serde_json::to_string(&Vec::<hearth_core::gathering::StepSpec>::new())?;
    let save = |id: &str, at: i64| Op::SaveTemplate {
        id: id.into(),
        name: format!("Agenda {id}"),
        agenda: agenda.clone(),
        created_at: at,
    };
    store
        .commit(Batch {
            gathering: "a".into(),
            ops: vec![save("t1", 1), save("t2", 2)],
            fence: None,
        })
        .await?;
    let names: Vec<String> = store
        .templates()
        .await?
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["Agenda t2", "Agenda t1"]);
    assert_eq!(
        store.template("t1").await?.map(|t| t.name).as_deref(),
        Some("Agenda t1")
    );
    store.delete_template("t1").await?;
    assert!(store.template("t1").await?.is_none());
    assert_eq!(store.templates().await?.len(), 1);
    Ok(())
}
