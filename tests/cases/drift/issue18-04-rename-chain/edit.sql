UPDATE product SET key = 'gamma' WHERE key = 'beta'
UPDATE product SET key = 'beta' WHERE key = 'alpha'
