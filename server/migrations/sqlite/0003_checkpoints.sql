-- Checkpoints: each gathering's public state at one position of its log,
-- so a room loads from here and the events after it instead of replaying
-- the whole log. One row per gathering, replaced as the log grows. It holds
-- what the log holds (revealed words; never authors or marks), and a
-- withdrawal replaces it in the same commit, so withdrawn words never
-- survive here either.
CREATE TABLE checkpoints (
    gathering_id  TEXT PRIMARY KEY REFERENCES gatherings(id) ON DELETE CASCADE,
    seq           INTEGER NOT NULL,
    body          TEXT NOT NULL
);
