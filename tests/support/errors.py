"""AWS errors injected into botocore clients, without a proxy: a before-call handler answers the call.

botocore emits "before-call.<service>.<Operation>"; a handler that returns (http response, parsed
body) makes botocore take that as AWS's answer and never send the request. The tests use it for
what moto cannot be made to do (a throttled call, a key STS does not accept yet, a lost reply).
"""

import time
from types import SimpleNamespace


def error_reply(code, status=400, message=None):
    """The (http, parsed) pair of an AWS error answer, as a before-call handler returns it."""
    return (SimpleNamespace(status_code=status, headers={}),
            {"Error": {"Code": code, "Message": message or "injected %s" % code, "Type": "Sender"},
             "ResponseMetadata": {"HTTPStatusCode": status}})


class FailFirst:
    """A before-call handler: the first `times` calls get the error, later calls reach AWS.

    attempts: when each call was made (time.monotonic()), to check how the caller waited."""

    def __init__(self, code, times=1, status=400, message=None):
        self.code, self.times, self.status, self.message = code, times, status, message
        self.attempts = []

    @property
    def calls(self):
        return len(self.attempts)

    def __call__(self, **kwargs):
        self.attempts.append(time.monotonic())
        if len(self.attempts) > self.times:
            return None
        return error_reply(self.code, self.status, self.message)


def inject(client, operation, handler):
    """Register handler for every call of operation (e.g. "AssumeRole") on this client; return it."""
    service = client.meta.service_model.service_name
    client.meta.events.register("before-call.%s.%s" % (service, operation), handler)
    return handler
