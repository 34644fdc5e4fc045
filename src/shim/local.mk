# src/shim
