"""The IAM chain the reliability tests run: the one definition in tools/standins/chain.py (the benchmark's too)."""

from tools.standins.chain import MODULE, STEPS, chain_tasks

__all__ = ["MODULE", "STEPS", "chain_tasks"]
