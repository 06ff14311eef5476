-- Hearth's storage on PostgreSQL: the same tables as the SQLite file
-- (server/migrations/sqlite/, all three of its files in one), in
-- PostgreSQL's types. What is not here matters as much as what is: no
-- names, no IP addresses, no user agents, no per-participant timestamps.

-- One row per gathering. Facilitator, co-facilitator and screen secrets are
-- kept only as SHA-256 hashes, so a copy of the database opens no console.
CREATE TABLE gatherings (
    id                  TEXT PRIMARY KEY,
    console_hash        TEXT NOT NULL UNIQUE,
    cofacilitator_hash  TEXT UNIQUE,
    screen_hash         TEXT NOT NULL UNIQUE,
    join_token          TEXT NOT NULL UNIQUE,
    -- NULL once the gathering has ended: the code is free for another.
    join_code           TEXT UNIQUE,
    -- Per-gathering salt for participants' device hashes.
    salt                BYTEA NOT NULL,
    epoch               BIGINT NOT NULL,
    -- The public state at sequence 0, as JSON; events apply on top.
    genesis             TEXT NOT NULL,
    -- When the gathering was created (seconds), for the retention period.
    created_at          BIGINT NOT NULL
);

CREATE INDEX gatherings_by_age ON gatherings (created_at);

-- The ordered event log of each gathering's public state.
CREATE TABLE events (
    gathering_id  TEXT NOT NULL REFERENCES gatherings(id) ON DELETE CASCADE,
    seq           BIGINT NOT NULL,
    body          TEXT NOT NULL,
    PRIMARY KEY (gathering_id, seq)
);

-- Every reflection, revealed or not. `author` is the salted hash of the
-- device token: it lets a participant see and withdraw their own cards and
-- is never sent to anyone. `added` keeps the order cards came in (SQLite
-- has its rowid for that).
CREATE TABLE cards (
    gathering_id  TEXT NOT NULL REFERENCES gatherings(id) ON DELETE CASCADE,
    id            TEXT NOT NULL,
    added         BIGINT GENERATED ALWAYS AS IDENTITY,
    step          INTEGER NOT NULL,
    author        TEXT NOT NULL,
    text          TEXT NOT NULL,
    -- Where in its step the card sits, as JSON.
    place         TEXT NOT NULL,
    -- Whether its author added a content note.
    sensitive     BOOLEAN NOT NULL,
    -- The event that revealed it, or NULL while it waits.
    revealed_seq  BIGINT,
    PRIMARY KEY (gathering_id, id)
);

CREATE INDEX cards_by_author ON cards (gathering_id, author);

-- Who has joined, as salted device hashes only.
CREATE TABLE participants (
    gathering_id  TEXT NOT NULL REFERENCES gatherings(id) ON DELETE CASCADE,
    author        TEXT NOT NULL,
    PRIMARY KEY (gathering_id, author)
);

-- Actions already applied, by client-made id, with what they produced:
-- a retried action is answered from here and never applied twice.
CREATE TABLE applied_actions (
    gathering_id  TEXT NOT NULL REFERENCES gatherings(id) ON DELETE CASCADE,
    actor         TEXT NOT NULL,
    action_id     TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    PRIMARY KEY (gathering_id, actor, action_id)
);

-- One mark per participant per target (a spectrum, a line, a card). Only
-- the room reads these, to keep totals and to show people their own.
CREATE TABLE marks (
    gathering_id  TEXT NOT NULL REFERENCES gatherings(id) ON DELETE CASCADE,
    author        TEXT NOT NULL,
    target        TEXT NOT NULL,
    value         INTEGER NOT NULL,
    PRIMARY KEY (gathering_id, author, target)
);

CREATE INDEX marks_by_target ON marks (gathering_id, target);

-- Agendas saved by facilitators to start new gatherings from. They hold
-- prompts and settings only, never anything a participant wrote.
CREATE TABLE templates (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    agenda      TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

-- Each gathering's public state at one position of its log, so a room
-- loads from here and the events after it. A withdrawal replaces it in the
-- same commit, so withdrawn words never survive here either.
CREATE TABLE checkpoints (
    gathering_id  TEXT PRIMARY KEY REFERENCES gatherings(id) ON DELETE CASCADE,
    seq           BIGINT NOT NULL,
    body          TEXT NOT NULL
);
