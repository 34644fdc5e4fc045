# src/runtime
