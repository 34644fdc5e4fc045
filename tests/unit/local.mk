# shared unit-test plumbing
