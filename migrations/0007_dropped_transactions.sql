-- Transactions this node stopped holding without mining them, and why, so
-- that a person can ask (sqlite3 node.db 'SELECT reason, COUNT(*) FROM
-- dropped_transactions GROUP BY reason'): a reorganisation removed the
-- block that held one and it no longer passes this node's policy on the
-- new chain, or the miner found a pending one its sender can no longer
-- cover. A transaction may be dropped more than once (after another
-- reorganisation), so id is not unique.
CREATE TABLE dropped_transactions (
	seq         INTEGER PRIMARY KEY,
	id          TEXT    NOT NULL,
	sender      TEXT    NOT NULL,
	recipient   TEXT    NOT NULL,
	amount      INTEGER NOT NULL, -- satoshis
	timestamp   REAL    NOT NULL,
	raw         TEXT    NOT NULL, -- the transaction's JSON as the block held it
	reason      TEXT    NOT NULL, -- 'overdraft', 'mempool full' or 'policy'
	detail      TEXT    NOT NULL, -- one sentence: the rule and the numbers
	dropped_by  TEXT    NOT NULL, -- 'reorg' or 'mine'
	fork_height INTEGER,          -- the reorganisation's fork point; NULL when the miner dropped it
	dropped_at  REAL    NOT NULL  -- seconds since the epoch
);

CREATE INDEX dropped_transactions_id ON dropped_transactions (id);
