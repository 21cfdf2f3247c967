UPDATE product SET name = 'Checking (UI)' WHERE key = 'checking'
