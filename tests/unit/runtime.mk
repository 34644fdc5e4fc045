# unit tests for runtime (owner: runtime helpers)
