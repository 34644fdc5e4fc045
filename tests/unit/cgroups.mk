# unit tests for cgroups (owner: cgroups helper)
