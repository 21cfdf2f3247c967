UPDATE template_stage SET key = 'funded' WHERE key = 'funding'
