UPDATE template_stage SET position = 99 WHERE key = 'won'
UPDATE template_stage SET position = 2 WHERE key = 'lost'
UPDATE template_stage SET position = 3 WHERE key = 'won'
