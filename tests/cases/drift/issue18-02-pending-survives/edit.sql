DELETE FROM stage_step WHERE key = 'id_check'
