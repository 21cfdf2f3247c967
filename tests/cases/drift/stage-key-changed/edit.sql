UPDATE template_stage SET key = 'paperwork_signed' WHERE key = 'paperwork'
