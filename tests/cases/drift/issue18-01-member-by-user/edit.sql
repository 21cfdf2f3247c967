DELETE FROM coverage_member WHERE user_login = 'bpatel'
UPDATE coverage_member SET role_code = 'advisor' WHERE user_login = 'cnguyen'
