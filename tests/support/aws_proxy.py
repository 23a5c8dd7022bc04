"""The fault-injecting AWS proxy of the tests: tools/standins/aws_proxy.py (the benchmark's too)."""

from tools.standins.aws_proxy import ERROR_STATUS, AwsProxy, Fault, Hold, action_of

__all__ = ["ERROR_STATUS", "AwsProxy", "Fault", "Hold", "action_of"]
