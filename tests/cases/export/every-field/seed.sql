-- Strings YAML would misread, exact prices, every field of every kind; rows as the CRM's UI
-- would have created them (unmanaged), and one that opconf manages.
INSERT INTO product (key, name, description, type, active, list_price, code, unit_of_measure) VALUES ('yes_no', 'yes', 'null', 'deposit', TRUE, '1250.50', '0x10', '1e3');
INSERT INTO product (key, name, description, type, active, list_price, code, unit_of_measure) VALUES ('symbols', ': #', '*&!%@ leading', 'deposit', FALSE, '0.000001', 'NO', 'tab	and trailing ');
INSERT INTO product (key, name, description, type, active, list_price, code, unit_of_measure) VALUES ('multi_line', 'Émoji 🎉 and עברית', 'First line
second line
', 'brokerage', TRUE, '123456789012.5', NULL, NULL);
INSERT INTO opconf_owned (kind, row_id) SELECT 'Product', id FROM product WHERE key = 'multi_line';
INSERT INTO product (key, name, description, type, active, list_price, code, unit_of_measure) VALUES ('free', 'Free', 'Trailing space on a line 
then more', 'deposit', TRUE, '0', NULL, NULL);
INSERT INTO coverage_group (key, name, description, visibility) VALUES ('desk', 'Desk', NULL, 'private');
INSERT INTO coverage_group (key, name, description, visibility) VALUES ('empty_team', '~', NULL, 'public');
INSERT INTO coverage_member (group_id, user_login, role_code) SELECT id, 'bpatel', 'lead_advisor' FROM coverage_group WHERE key = 'desk';
INSERT INTO coverage_member (group_id, user_login, role_code) SELECT id, 'ajones', 'advisor' FROM coverage_group WHERE key = 'desk';
INSERT INTO opportunity_template (key, name, description, category, entity_type, active, default_coverage_group_id) SELECT 'onboarding', 'Onboarding', 'A very long description that the emitter has to wrap over more than one line, because it is longer than a hundred characters.', 'product', 'company', FALSE, id FROM coverage_group WHERE key = 'desk';
INSERT INTO template_product (template_id, product_id, position) SELECT t.id, p.id, 0 FROM opportunity_template t, product p WHERE t.key = 'onboarding' AND p.key = 'symbols';
INSERT INTO template_product (template_id, product_id, position) SELECT t.id, p.id, 1 FROM opportunity_template t, product p WHERE t.key = 'onboarding' AND p.key = 'yes_no';
INSERT INTO template_stage (template_id, key, name, position, probability, outcome, guidance) SELECT id, 'qualify', 'Qualify', 0, 10, 'open', 'Call them,
then write it down.' FROM opportunity_template WHERE key = 'onboarding';
INSERT INTO template_stage (template_id, key, name, position, probability, outcome, guidance) SELECT id, 'won', 'Won', 1, 100, 'won', NULL FROM opportunity_template WHERE key = 'onboarding';
INSERT INTO template_stage (template_id, key, name, position, probability, outcome, guidance) SELECT id, 'lost', 'Lost', 2, 0, 'lost', NULL FROM opportunity_template WHERE key = 'onboarding';
INSERT INTO stage_step (template_id, stage_id, key, name, position, type, required, due_days, assignee_kind, assignee_value) SELECT template_id, id, 'kyc', 'KYC', 0, 'document', TRUE, 5, 'user', 'bpatel' FROM template_stage WHERE key = 'qualify';
INSERT INTO stage_step (template_id, stage_id, key, name, position, type, required, due_days, assignee_kind, assignee_value) SELECT template_id, id, 'review', 'Review', 1, 'task', FALSE, 0, 'role', 'compliance_reviewer' FROM template_stage WHERE key = 'qualify';
INSERT INTO stage_step (template_id, stage_id, key, name, position, type, required, due_days, assignee_kind, assignee_value) SELECT template_id, id, 'call', 'Call', 2, 'call', FALSE, NULL, 'owner', NULL FROM template_stage WHERE key = 'qualify';
-- A CRM's UI saves empty text where opconf has none: left out (the plan then clears it).
INSERT INTO product (key, name, description, type, active, list_price, code, unit_of_measure) VALUES ('blank', 'Blank', '', 'deposit', TRUE, NULL, '', '');
