UPDATE opportunity_template SET name = 'Account Opening (branch)' WHERE key = 'account_opening'
