UPDATE product SET description = 'Savings for later.', code = 'DLT-1' WHERE key = 'delta'
UPDATE template_stage SET guidance = 'Wait for the transfer.' WHERE key = 'funding'
UPDATE stage_step SET due_days = 3, name = 'Identity check' WHERE key = 'id_check'
