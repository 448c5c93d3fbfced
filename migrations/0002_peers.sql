-- Peers this node talks to, kept across restarts. url is the normalised
-- base URL (scheme://host:port). A peer that keeps failing is not asked
-- again before retry_at (exponential backoff).
CREATE TABLE peers (
	url          TEXT    PRIMARY KEY,
	added_at     REAL    NOT NULL,
	last_success REAL,
	last_failure REAL,
	failures     INTEGER NOT NULL DEFAULT 0,
	retry_at     REAL    NOT NULL DEFAULT 0,
	last_error   TEXT    NOT NULL DEFAULT ''
) WITHOUT ROWID;
