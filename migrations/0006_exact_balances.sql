-- The balances view summed amounts with SUM, which fails with "integer
-- overflow" once an address's sums pass an int64 of satoshis, and
-- consensus accepts any amount that fits one, in any number. Each amount
-- is cut into decimal limbs of 9 digits (amount = a2·10¹⁸ + a1·10⁹ + a0),
-- which sum without overflow up to billions of rows, and each figure is
-- put together from them exactly: an INTEGER when it fits one, as before,
-- and otherwise its exact decimal digits as TEXT.
DROP VIEW balances;

CREATE VIEW balances (address, received, sent, balance) AS
WITH
sums AS (
	SELECT
		address,
		SUM(r0) AS r0, SUM(r1) AS r1, SUM(r2) AS r2,
		SUM(s0) AS s0, SUM(s1) AS s1, SUM(s2) AS s2
	FROM (
		SELECT
			recipient AS address,
			amount % 1000000000 AS r0,
			amount / 1000000000 % 1000000000 AS r1,
			amount / 1000000000000000000 AS r2,
			0 AS s0, 0 AS s1, 0 AS s2
		FROM transactions
		UNION ALL
		SELECT
			sender,
			0, 0, 0,
			amount % 1000000000,
			amount / 1000000000 % 1000000000,
			amount / 1000000000000000000
		FROM transactions
	)
	GROUP BY address
),
-- One row per figure, its limbs possibly negative or past 10⁹.
figures (address, kind, d0, d1, d2) AS (
	SELECT address, 'received', r0, r1, r2 FROM sums
	UNION ALL
	SELECT address, 'sent', s0, s1, s2 FROM sums
	UNION ALL
	SELECT address, 'balance', r0 - s0, r1 - s1, r2 - s2 FROM sums
),
-- Carries by floor division, so that value = e2·10¹⁸ + c1·10⁹ + c0
-- with c0 and c1 in [0, 10⁹): the sign of the value is the sign of e2.
low AS (
	SELECT address, kind, d1, d2, ((d0 % 1000000000) + 1000000000) % 1000000000 AS c0, d0
	FROM figures
),
middle AS (
	SELECT address, kind, c0, d2, d1 + (d0 - c0) / 1000000000 AS e1
	FROM low
),
normal AS (
	SELECT address, kind, c0, c1, d2 + (e1 - c1) / 1000000000 AS e2
	FROM (SELECT *, ((e1 % 1000000000) + 1000000000) % 1000000000 AS c1 FROM middle)
),
-- The magnitude as g·10¹⁸ + l, with l in [0, 10¹⁸).
magnitude AS (
	SELECT
		address,
		kind,
		e2 < 0 AS negative,
		CASE
			WHEN e2 >= 0 THEN e2
			WHEN c1 = 0 AND c0 = 0 THEN -e2
			ELSE -e2 - 1
		END AS g,
		CASE
			WHEN e2 >= 0 THEN c1 * 1000000000 + c0
			WHEN c1 = 0 AND c0 = 0 THEN 0
			ELSE 1000000000000000000 - c1 * 1000000000 - c0
		END AS l
	FROM normal
),
exact AS (
	SELECT
		address,
		kind,
		CASE
			WHEN NOT negative AND (g < 9 OR (g = 9 AND l <= 223372036854775807))
				THEN g * 1000000000000000000 + l
			WHEN negative AND (g < 9 OR (g = 9 AND l <= 223372036854775808))
				THEN -(g * 1000000000000000000) - l
			ELSE CASE WHEN negative THEN '-' ELSE '' END || g || printf('%018d', l)
		END AS value
	FROM magnitude
)
SELECT
	address,
	MAX(CASE kind WHEN 'received' THEN value END),
	MAX(CASE kind WHEN 'sent' THEN value END),
	MAX(CASE kind WHEN 'balance' THEN value END)
FROM exact
GROUP BY address;
