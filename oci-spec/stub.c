int oci_spec_stub_unused;
