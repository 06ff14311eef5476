-- The exercise library: where a card sits within its step, content notes,
-- participants' marks (spectrum points, tags, dots, resonances), agenda
-- templates, and a co-facilitator's link.

-- The co-facilitator's secret, as a SHA-256 hash (like the console's).
ALTER TABLE gatherings ADD COLUMN cofacilitator_hash TEXT;
CREATE UNIQUE INDEX gatherings_by_cofacilitator ON gatherings (cofacilitator_hash);

-- Where in its step a card sits (a column, under a story, a "towards"
-- with what it moves away from), as JSON; and whether its author added a
-- content note.
ALTER TABLE cards ADD COLUMN place TEXT NOT NULL DEFAULT '{"at":"board"}';
ALTER TABLE cards ADD COLUMN sensitive INTEGER NOT NULL DEFAULT 0;

-- One mark per participant per target (a spectrum, a line, a card). Only
-- the room reads these, to keep totals and to show people their own.
CREATE TABLE marks (
    gathering_id  TEXT NOT NULL REFERENCES gatherings(id) ON DELETE CASCADE,
    author        TEXT NOT NULL,
    target        TEXT NOT NULL,
    value         INTEGER NOT NULL,
    PRIMARY KEY (gathering_id, author, target)
) WITHOUT ROWID;

CREATE INDEX marks_by_target ON marks (gathering_id, target);

-- Agendas saved by facilitators to start new gatherings from. They hold
-- prompts and settings only, never anything a participant wrote.
CREATE TABLE templates (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    agenda      TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
