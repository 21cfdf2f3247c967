UPDATE opportunity_template SET key = 'account_opening_v2' WHERE key = 'account_opening'
