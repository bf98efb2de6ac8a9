-- The Contest API's clarifications (sql/013) name the asking team with
-- api_team_id(): in a team-based round that is the team, key
-- 't<team id>' (board_competitor(), sql/012_teams.sql), as a member's
-- submissions are the team's; in an individual round the user, as before.
CREATE OR REPLACE FUNCTION api_team_id(p_user bigint, p_round bigint) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN api_is_team(p_user) THEN board_competitor(p_round, p_user) END
$$;
