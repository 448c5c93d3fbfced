-- When the current streak of failures with a peer began (0 while it
-- answers): a peer that has failed for a day is forgotten.
ALTER TABLE peers ADD COLUMN failing_since REAL NOT NULL DEFAULT 0;
