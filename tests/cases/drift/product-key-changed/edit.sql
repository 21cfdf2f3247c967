UPDATE product SET key = 'checking_plus' WHERE key = 'checking'
