-- Rule K (SPEC §11): the signed message of every key-address spend in the
-- main chain, by its SHA-256, so that a block replaying one is refused
-- (the same payment signed again has another id but the same message) and
-- an address's spends can be checked in chain order. Rows leave with their
-- block.
CREATE TABLE signed_messages (
	hash         TEXT    NOT NULL PRIMARY KEY,
	block_height INTEGER NOT NULL REFERENCES blocks (height) ON DELETE CASCADE,
	position     INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX signed_messages_block ON signed_messages (block_height);
