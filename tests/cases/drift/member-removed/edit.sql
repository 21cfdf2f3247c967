DELETE FROM coverage_member WHERE user_login = 'bpatel'
