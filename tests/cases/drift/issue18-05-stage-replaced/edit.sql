INSERT INTO template_stage (template_id, key, name, position, probability, outcome) SELECT template_id, 'payment', 'Payment', 99, 50, 'open' FROM template_stage WHERE key = 'funding'
DELETE FROM template_stage WHERE key = 'funding'
UPDATE template_stage SET position = 1 WHERE key = 'payment'
