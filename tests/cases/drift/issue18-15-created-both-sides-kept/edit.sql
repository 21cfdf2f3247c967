INSERT INTO product (key, name, type, active, list_price, code) VALUES ('zeta', 'Zeta Savings', 'deposit', TRUE, 12.5, 'ZT-1')
INSERT INTO coverage_group (key, name, visibility) VALUES ('wealth_west', 'Wealth West', 'private')
INSERT INTO coverage_member (group_id, user_login, role_code) SELECT id, 'ajones', 'advisor' FROM coverage_group WHERE key = 'wealth_west'
INSERT INTO coverage_member (group_id, user_login, role_code) SELECT id, 'cnguyen', 'advisor' FROM coverage_group WHERE key = 'wealth_west'
