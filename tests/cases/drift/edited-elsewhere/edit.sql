UPDATE product SET list_price = '14.00' WHERE key = 'checking'
