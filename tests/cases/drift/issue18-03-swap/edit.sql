UPDATE product SET key = 'tmp' WHERE key = 'alpha'
UPDATE product SET key = 'alpha' WHERE key = 'beta'
UPDATE product SET key = 'beta' WHERE key = 'tmp'
