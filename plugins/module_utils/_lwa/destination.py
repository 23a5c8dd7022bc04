# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An SQS queue registered as an SP-API notifications destination (Notifications API v1, grantless).

A destination cannot be renamed or changed: it is found by its queue ARN (SP-API refuses a
second destination for the same resource), created when missing, deleted on state=absent.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.common import (
    SCOPE_NOTIFICATIONS,
    check_endpoint,
    exchange,
    lwa_endpoint,
    spapi_endpoint,
    spapi_request,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._sqs.queue import QUEUE_ARN
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError

DESTINATIONS_PATH = "/notifications/v1/destinations"


def validate_destination_params(params):
    name, arn = params.get("name"), params.get("queue_arn")
    if params["state"] == "present" and not (name and arn):
        raise ValidationError("name" if not name else "queue_arn", "name and queue_arn are required with state=present")
    if not (name or arn):
        raise ValidationError("queue_arn", "give queue_arn (or name) of the destination to delete")
    if name is not None and not 1 <= len(name) <= 256:
        raise ValidationError("name", "must be 1-256 characters, got %d" % len(name))
    if arn is not None and (not QUEUE_ARN.match(arn) or not arn.startswith("arn:aws:sqs:")):
        raise ValidationError("queue_arn", "%r is not the ARN of a standard SQS queue in the aws partition "
                                           "(arn:aws:sqs:<region>:<account>:<name>)" % (arn,))
    for option in ("lwa_endpoint", "spapi_endpoint"):
        if params.get(option):
            check_endpoint(params[option], option)


def find(destinations, name=None, queue_arn=None):
    """The destination for queue_arn (or, without one, named name); None when there is none."""
    for destination in destinations or []:
        arn = ((destination.get("resource") or {}).get("sqs") or {}).get("arn")
        if (queue_arn and arn == queue_arn) or (not queue_arn and destination.get("name") == name):
            return destination
    return None


def plan(found, params):
    """(what to do: create|delete|none, a warning or None)."""
    if params["state"] == "absent":
        return ("delete" if found else "none"), None
    if found is None:
        return "create", None
    if found.get("name") != params["name"]:
        return "none", ("the destination for %s is named %r, not %r: SP-API cannot rename a destination, so it is "
                        "kept (delete it with state=absent and run again to rename it; its subscriptions must then "
                        "be made again)" % (params["queue_arn"], found.get("name"), params["name"]))
    return "none", None


def ensure_destination(task, credentials, http):
    """credentials: the vaulted lwa_client_id and lwa_client_secret. Returns the module's result."""
    params = task.params
    token = exchange(http, lwa_endpoint(params), credentials["lwa_client_id"], credentials["lwa_client_secret"],
                     scope=SCOPE_NOTIFICATIONS)
    base = spapi_endpoint(params)
    reply = spapi_request(http, base, "GET", DESTINATIONS_PATH, token, "the list of notification destinations "
                          "(getDestinations)").json() or {}
    found = find(reply.get("payload"), params.get("name"), params.get("queue_arn"))
    action, warning = plan(found, params)
    if warning:
        task.warn(warning)
    result = dict(changed=action != "none", destination_id=(found or {}).get("destinationId"), destination=found or {})
    if task.check_mode or action == "none":
        return result
    if action == "delete":
        spapi_request(http, base, "DELETE", "%s/%s" % (DESTINATIONS_PATH, found["destinationId"]), token,
                      "the deletion of notification destination %s (deleteDestination)" % found["destinationId"],
                      retry=False)
        return dict(result, destination={})
    body = {"name": params["name"], "resourceSpecification": {"sqs": {"arn": params["queue_arn"]}}}
    created = spapi_request(http, base, "POST", DESTINATIONS_PATH, token, "the creation of a notification destination "
                            "for %s (createDestination)" % params["queue_arn"], body=body, retry=False).json() or {}
    destination = created.get("payload") or {}
    return dict(result, destination_id=destination.get("destinationId"), destination=destination)
