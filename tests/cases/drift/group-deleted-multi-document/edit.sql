UPDATE opportunity_template SET default_coverage_group_id = NULL WHERE key = 'account_opening'
DELETE FROM coverage_member WHERE group_id = (SELECT id FROM coverage_group WHERE key = 'branch_team')
DELETE FROM coverage_group WHERE key = 'branch_team'
