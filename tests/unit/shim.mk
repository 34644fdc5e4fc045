# unit tests for shim (owner: shim helpers)
