INSERT INTO product (key, name, type, active) VALUES ('heloc', 'Home Equity Line', 'deposit', true)
