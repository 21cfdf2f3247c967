DELETE FROM template_product WHERE product_id = (SELECT id FROM product WHERE key = 'beta')
DELETE FROM product WHERE key = 'beta'
UPDATE product SET key = 'beta' WHERE key = 'alpha'
