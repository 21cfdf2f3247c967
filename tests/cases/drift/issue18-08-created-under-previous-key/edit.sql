INSERT INTO product (key, name, type, active) VALUES ('omega', 'Omega', 'deposit', true)
