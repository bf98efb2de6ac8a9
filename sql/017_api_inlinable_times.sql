-- The Contest API's times as expressions PostgreSQL inlines into the
-- objects' queries (docs/benchmarks.md, worker_drain 2026-12-04): every
-- run, judgement and submission object calls them, and a SQL function
-- that is not inlined is planned again on each call of its caller.
-- board_ts() was IMMUTABLE around to_char(), which is STABLE, so it was
-- never inlined; api_reltime() had a FROM.  The same texts.

ALTER FUNCTION board_ts(timestamptz) STABLE;

CREATE OR REPLACE FUNCTION api_reltime_ms(ms bigint) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN ms < 0 THEN '-' ELSE '' END
           || (abs(ms) / 3600000)::text || ':'
           || lpad((abs(ms) / 60000 % 60)::text, 2, '0') || ':'
           || lpad((abs(ms) / 1000 % 60)::text, 2, '0') || '.'
           || lpad((abs(ms) % 1000)::text, 3, '0')
$$;

CREATE OR REPLACE FUNCTION api_reltime(d interval) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT api_reltime_ms(round(extract(epoch FROM d) * 1000)::bigint)
$$;
