UPDATE stage_step SET key = 'kyc_check' WHERE key = 'kyc'
