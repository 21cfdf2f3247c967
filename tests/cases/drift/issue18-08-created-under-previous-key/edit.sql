INSERT INTO product (key, name, type, active, managed) VALUES ('omega', 'Omega', 'deposit', true, false)
