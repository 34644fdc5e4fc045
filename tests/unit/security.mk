# unit tests for security (owner: security helper)
