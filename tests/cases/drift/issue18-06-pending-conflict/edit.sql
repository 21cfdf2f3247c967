UPDATE stage_step SET due_days = 9 WHERE key = 'kyc'
UPDATE stage_step SET name = 'KYC' WHERE key = 'kyc'
