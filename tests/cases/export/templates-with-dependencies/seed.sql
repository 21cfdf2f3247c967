-- Only templates are asked for: the products and group they use come along.
INSERT INTO product (key, name, description, type, active, list_price, code, unit_of_measure) VALUES ('used', 'Used', NULL, 'deposit', TRUE, NULL, NULL, NULL);
INSERT INTO product (key, name, description, type, active, list_price, code, unit_of_measure) VALUES ('unused', 'Unused', NULL, 'deposit', TRUE, NULL, NULL, NULL);
INSERT INTO coverage_group (key, name, description, visibility) VALUES ('team', 'Team', NULL, 'public');
INSERT INTO opportunity_template (key, name, description, category, entity_type, active, default_coverage_group_id) SELECT 'simple', 'Simple', NULL, 'parent', 'household', TRUE, id FROM coverage_group WHERE key = 'team';
INSERT INTO template_product (template_id, product_id, position) SELECT t.id, p.id, 0 FROM opportunity_template t, product p WHERE t.key = 'simple' AND p.key = 'used';
INSERT INTO template_stage (template_id, key, name, position, probability, outcome, guidance) SELECT id, 'open', 'Open', 0, 50, 'open', NULL FROM opportunity_template WHERE key = 'simple';
INSERT INTO template_stage (template_id, key, name, position, probability, outcome, guidance) SELECT id, 'won', 'Won', 1, 100, 'won', NULL FROM opportunity_template WHERE key = 'simple';
INSERT INTO template_stage (template_id, key, name, position, probability, outcome, guidance) SELECT id, 'lost', 'Lost', 2, 0, 'lost', NULL FROM opportunity_template WHERE key = 'simple';
