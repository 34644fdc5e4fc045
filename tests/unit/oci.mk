# unit tests for oci (owner: oci helpers)
