UPDATE product SET key = 'gamma' WHERE key = 'alpha'
