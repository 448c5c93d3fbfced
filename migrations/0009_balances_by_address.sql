-- What one address received and sent, each by GROUP BY over one column.
-- SQLite takes a WHERE address = ? into the grouping and reads only that
-- address's rows from the covering index (recipient or sender, …, amount),
-- where the balances view, which groups a union of both columns, reads the
-- whole table for one address. The node reads balances through these two;
-- balances stays for listings over every address.
--
-- Amounts are summed as their high and low 32 bits apart: SUM fails with
-- "integer overflow" past an int64, and the parts cannot overflow before
-- 2³¹ rows. The sum is high · 2³² + low.
CREATE VIEW received_by (address, received_high, received_low, receipts) AS
SELECT recipient, SUM(amount >> 32), SUM(amount & 4294967295), COUNT(*)
FROM transactions
GROUP BY recipient;

CREATE VIEW sent_by (address, sent_high, sent_low, payments) AS
SELECT sender, SUM(amount >> 32), SUM(amount & 4294967295), COUNT(*)
FROM transactions
GROUP BY sender;
