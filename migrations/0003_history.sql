-- An address's history is listed newest first, page by page. With the
-- block and position after the address, the index hands the rows over in
-- that order and no sort is needed, however long the history; amount stays
-- last, so the balance sums still read only the index.
DROP INDEX transactions_sender;
DROP INDEX transactions_recipient;
CREATE INDEX transactions_sender ON transactions (sender, block_height, position, amount);
CREATE INDEX transactions_recipient ON transactions (recipient, block_height, position, amount);

