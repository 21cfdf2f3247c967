UPDATE product SET description = '' WHERE key = 'alpha'
