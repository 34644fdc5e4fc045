# shared unit-test plumbing (coordinator)
