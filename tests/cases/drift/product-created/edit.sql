INSERT INTO product (key, name, type, active, managed) VALUES ('heloc', 'Home Equity Line', 'deposit', true, false)
