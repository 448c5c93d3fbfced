-- Payments this node had pending that a block took out as the same payment
-- under another id. A tutorial node stamps a relayed payment with its own
-- time, so its block holds a copy with another id; the copy is matched by
-- sender, recipient and amount, so that the payment is not mined twice.
-- A row lives as long as the copy's block is in the chain (the foreign
-- key): finding the payment by the id its sender was given leads to the
-- copy, and a reorganisation that removes the copy's block puts the
-- payment back under that id.
CREATE TABLE restamped_transactions (
	id           TEXT    NOT NULL, -- the payment as this node acknowledged it
	sender       TEXT    NOT NULL,
	recipient    TEXT    NOT NULL,
	amount       INTEGER NOT NULL, -- satoshis
	timestamp    REAL    NOT NULL,
	raw          TEXT    NOT NULL, -- its JSON as it came
	copy_id      TEXT    NOT NULL, -- the id under which the block holds it
	block_height INTEGER NOT NULL REFERENCES blocks (height) ON DELETE CASCADE,
	position     INTEGER NOT NULL, -- the copy's place in its block
	PRIMARY KEY (block_height, position)
);

CREATE INDEX restamped_transactions_id ON restamped_transactions (id);
