INSERT INTO product (key, name, type, active, list_price, code) VALUES ('zeta', 'Zeta Savings', 'deposit', TRUE, 12.5, 'ZT-1')
INSERT INTO coverage_group (key, name, visibility) VALUES ('wealth_west', 'Wealth West', 'private')
INSERT INTO coverage_member (group_id, user_login, role_code) SELECT id, 'ajones', 'advisor' FROM coverage_group WHERE key = 'wealth_west'
INSERT INTO coverage_member (group_id, user_login, role_code) SELECT id, 'cnguyen', 'advisor' FROM coverage_group WHERE key = 'wealth_west'
INSERT INTO opportunity_template (key, name, category, entity_type, active) VALUES ('express', 'Express lane', 'product', 'contact', TRUE)
INSERT INTO template_stage (template_id, key, name, position, probability, outcome) SELECT id, 'apply', 'Apply', 0, 30, 'open' FROM opportunity_template WHERE key = 'express'
INSERT INTO template_stage (template_id, key, name, position, probability, outcome) SELECT id, 'review', 'Review', 1, 60, 'open' FROM opportunity_template WHERE key = 'express'
INSERT INTO template_stage (template_id, key, name, position, probability, outcome) SELECT id, 'won', 'Won', 2, 100, 'won' FROM opportunity_template WHERE key = 'express'
INSERT INTO template_stage (template_id, key, name, position, probability, outcome) SELECT id, 'lost', 'Lost', 3, 0, 'lost' FROM opportunity_template WHERE key = 'express'
