UPDATE template_stage SET probability = 15 WHERE key = 'qualify'
