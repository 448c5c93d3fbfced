-- Which ids are pending is kept in the writer's memory too (the id of every
-- pending row, store/pendingindex.go), like each sender's pending total. The
-- UNIQUE constraint's index put every accepted transaction at a random page
-- of a B-tree keyed by a hash, so a group commit wrote and synced about one
-- more page per transaction; without it a commit appends to the table's
-- last pages. A table's UNIQUE constraint cannot be dropped, so the table is
-- rebuilt with the same rows and seqs. Looking a pending transaction up by
-- id now reads the mempool through, which stays small next to the chain
-- (the node caps it, --max-mempool).
CREATE TABLE mempool_new (
	seq         INTEGER PRIMARY KEY,
	id          TEXT    NOT NULL,
	sender      TEXT    NOT NULL,
	recipient   TEXT    NOT NULL,
	amount      INTEGER NOT NULL,
	timestamp   REAL    NOT NULL,
	received_at REAL    NOT NULL,
	raw         TEXT    NOT NULL
);

INSERT INTO mempool_new (seq, id, sender, recipient, amount, timestamp, received_at, raw)
SELECT seq, id, sender, recipient, amount, timestamp, received_at, raw
FROM mempool;

DROP TABLE mempool;

ALTER TABLE mempool_new RENAME TO mempool;
