"""Local stand-ins for what the collection talks to, shared by the tests, the demo and the benchmark.

moto.py (a moto server on 127.0.0.1), lwa.py (the LWA / SP-API stand-in), aws_proxy.py (latency and
AWS faults between boto3 and moto), chain.py (the IAM chain as six module tasks), ansible_env.py (the
environment of an ansible-playbook run against them) and paths.py. Development only: galaxy.yml's
build_ignore keeps tools/ out of the collection tarball, and nothing here imports from tests/.
"""
