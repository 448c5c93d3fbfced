-- Blocks of the main chain, one row per height. raw is the whole block as
-- served by GET /chain (compact JSON, sorted keys, extra keys kept), so the
-- chain streams without rebuilding JSON.
CREATE TABLE blocks (
	height        INTEGER PRIMARY KEY,
	hash          TEXT    NOT NULL UNIQUE,
	previous_hash TEXT    NOT NULL,
	nonce         INTEGER NOT NULL,
	timestamp     REAL    NOT NULL,
	tx_count      INTEGER NOT NULL,
	raw           TEXT    NOT NULL
);

-- Transactions of the main chain, in block order. amount is in satoshis
-- (10^-8 pyBTC). An id may repeat in another block: the tutorial's rules do
-- not forbid it, so the key is the position, not the id.
CREATE TABLE transactions (
	block_height INTEGER NOT NULL REFERENCES blocks (height) ON DELETE CASCADE,
	position     INTEGER NOT NULL,
	id           TEXT    NOT NULL,
	sender       TEXT    NOT NULL,
	recipient    TEXT    NOT NULL,
	amount       INTEGER NOT NULL,
	timestamp    REAL    NOT NULL,
	PRIMARY KEY (block_height, position)
) WITHOUT ROWID;

-- Covering indexes: one address's sums read only the index.
CREATE INDEX transactions_sender ON transactions (sender, amount);
CREATE INDEX transactions_recipient ON transactions (recipient, amount);
CREATE INDEX transactions_id ON transactions (id);

-- Pending transactions in arrival order: a new seq (rowid) is always above
-- every present one, so AUTOINCREMENT's bookkeeping is not needed. raw keeps
-- the JSON as it came (3 stays 3, 3.0 stays 3.0): the block that mines it
-- hashes it.
CREATE TABLE mempool (
	seq         INTEGER PRIMARY KEY,
	id          TEXT    NOT NULL UNIQUE,
	sender      TEXT    NOT NULL,
	recipient   TEXT    NOT NULL,
	amount      INTEGER NOT NULL,
	timestamp   REAL    NOT NULL,
	received_at REAL    NOT NULL,
	raw         TEXT    NOT NULL
);

CREATE INDEX mempool_sender ON mempool (sender, amount);

-- Confirmed balances in satoshis, computed with GROUP BY over senders and
-- recipients of the main chain.
CREATE VIEW balances (address, received, sent, balance) AS
SELECT
	address,
	SUM(received),
	SUM(sent),
	SUM(received) - SUM(sent)
FROM (
	SELECT recipient AS address, amount AS received, 0 AS sent FROM transactions
	UNION ALL
	SELECT sender AS address, 0 AS received, amount AS sent FROM transactions
)
GROUP BY address;
