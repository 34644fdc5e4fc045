# oci-spec
