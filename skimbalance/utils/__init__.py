"""Private helpers shared by several skimbalance subpackages."""
