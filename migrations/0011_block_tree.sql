-- The block tree beside the main chain (SPEC §10). blocks, transactions
-- and the balances view keep meaning the main chain; what is not, or no
-- longer, on it lives here.

-- Valid blocks that are not on the main chain: those a reorganisation
-- removed, and the blocks of a competing branch, written as they arrive
-- (a branch that wins leaves this table for blocks). Kept at least 1,000
-- blocks deep below the tip and at most 10,000 in all, the oldest (lowest
-- seq) forgotten first.
CREATE TABLE stale_blocks (
	seq           INTEGER PRIMARY KEY,  -- order of arrival here
	hash          TEXT    NOT NULL UNIQUE,
	height        INTEGER NOT NULL,
	previous_hash TEXT    NOT NULL,
	nonce         INTEGER NOT NULL,
	timestamp     REAL    NOT NULL,
	tx_count      INTEGER NOT NULL,
	raw           TEXT    NOT NULL,     -- the block as GET /chain served it
	miner         TEXT    NOT NULL,     -- the coinbase's recipient
	arrived_at    REAL    NOT NULL,     -- when this node first saw it; 0 when unknown
	source        TEXT    NOT NULL      -- 'self' (mined here), a peer's URL, or '' when unknown
);

CREATE INDEX stale_blocks_height ON stale_blocks (height);
CREATE INDEX stale_blocks_previous ON stale_blocks (previous_hash);

-- The transactions of stale blocks, as transactions holds the main chain's.
CREATE TABLE stale_transactions (
	block_hash TEXT    NOT NULL REFERENCES stale_blocks (hash) ON DELETE CASCADE,
	position   INTEGER NOT NULL,
	id         TEXT    NOT NULL,
	sender     TEXT    NOT NULL,
	recipient  TEXT    NOT NULL,
	amount     INTEGER NOT NULL, -- satoshis
	timestamp  REAL    NOT NULL,
	PRIMARY KEY (block_hash, position)
) WITHOUT ROWID;

CREATE INDEX stale_transactions_id ON stale_transactions (id);

-- When this node first saw each block, main or stale, and from whom.
CREATE TABLE arrivals (
	hash       TEXT PRIMARY KEY,
	arrived_at REAL NOT NULL, -- seconds since the epoch
	source     TEXT NOT NULL  -- 'self' or the peer's URL
) WITHOUT ROWID;

-- Reorganisations: the node left its branch above fork_height for a
-- longer one.
CREATE TABLE reorgs (
	id          INTEGER PRIMARY KEY,
	time        REAL    NOT NULL,
	fork_height INTEGER NOT NULL, -- the last block both branches share
	old_tip     TEXT    NOT NULL,
	old_height  INTEGER NOT NULL,
	new_tip     TEXT    NOT NULL,
	new_height  INTEGER NOT NULL,
	peer        TEXT    NOT NULL  -- the peer whose branch won; '' when unknown
);

-- The blocks each reorganisation removed and added.
CREATE TABLE reorg_blocks (
	reorg_id INTEGER NOT NULL REFERENCES reorgs (id) ON DELETE CASCADE,
	change   TEXT    NOT NULL, -- 'removed' or 'added'
	height   INTEGER NOT NULL,
	hash     TEXT    NOT NULL,
	PRIMARY KEY (reorg_id, change, height)
) WITHOUT ROWID;

-- What each reorganisation did to the removed blocks' transactions:
-- 'returned' to the mempool, or 'dropped' (dropped_seq names the row of
-- dropped_transactions that says why).
CREATE TABLE reorg_transactions (
	reorg_id    INTEGER NOT NULL REFERENCES reorgs (id) ON DELETE CASCADE,
	position    INTEGER NOT NULL, -- order among the removed blocks' transactions
	id          TEXT    NOT NULL,
	outcome     TEXT    NOT NULL, -- 'returned' or 'dropped'
	dropped_seq INTEGER,
	PRIMARY KEY (reorg_id, position)
) WITHOUT ROWID;

-- The last 1,000 blocks this node refused, and the rule each broke.
CREATE TABLE refused_blocks (
	seq    INTEGER PRIMARY KEY,
	hash   TEXT    NOT NULL,
	height INTEGER NOT NULL,
	peer   TEXT    NOT NULL, -- who sent it; '' when unknown
	reason TEXT    NOT NULL, -- the rule, e.g. 'ErrBadProof'
	detail TEXT    NOT NULL, -- one sentence
	at     REAL    NOT NULL
);
