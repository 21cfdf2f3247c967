DELETE FROM template_product WHERE product_id = (SELECT id FROM product WHERE key = 'checking')
DELETE FROM product WHERE key = 'checking'
