"""Data of the standing adversarial suite (tests/test_soundness_suite.py): false and true steps by kind."""
