"""notification_destination against the SP-API stand-in: created once, found again, deleted; check mode
changes nothing; the action plugin reads the vault file in a real ansible-playbook run."""

import json

import pytest

from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.http import HttpClient
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.destination import (
    ensure_destination,
    validate_destination_params,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError
from ansible_collections.spapi.onboarding.plugins.modules.notification_destination import ARGUMENT_SPEC
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.files import write_vault_file
from ansible.parsing.vault import VaultSecret
from tests.support.ansible import play, run_playbook
from tests.support.lwa_fixtures import lwa, lwa_server  # noqa: F401  pylint: disable=unused-import
from tests.support.tasks import make_task

CLIENT = "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef"
SECRET = "amzn1.oa2-cs.v1.DE57000000000000000000000000000000000000000000000000000000000000"
ARN = "arn:aws:sqs:us-east-1:123456789012:sp-api-notifications"
CREDENTIALS = {"lwa_client_id": CLIENT, "lwa_client_secret": SECRET}
DESTINATIONS = "GET /notifications/v1/destinations"


def ensure(lwa, check_mode=False, **params):
    params.setdefault("name", "sp-api-notifications")
    params.setdefault("queue_arn", ARN)
    params.setdefault("spapi_endpoint", lwa.url)
    task = make_task(ARGUMENT_SPEC, "http://127.0.0.1:9", check_mode=check_mode, lwa_endpoint=lwa.token_url, **params)
    validate_destination_params(task.params)
    result = ensure_destination(task, CREDENTIALS, HttpClient())
    result["warnings"] = task.warnings
    return result


def test_created_once_found_again_then_deleted(lwa):
    lwa.register(CLIENT, SECRET)
    predicted = ensure(lwa, check_mode=True)
    assert predicted["changed"] and predicted["destination_id"] is None and lwa.app(CLIENT)["destinations"] == []
    created = ensure(lwa)
    assert created["changed"] and created["destination_id"]
    assert lwa.app(CLIENT)["destinations"] == [created["destination"]]
    again = ensure(lwa)
    assert not again["changed"] and again["destination_id"] == created["destination_id"]
    assert lwa.calls["POST /notifications/v1/destinations"] == 1
    renamed = ensure(lwa, name="another-name")
    assert not renamed["changed"] and "cannot rename" in renamed["warnings"][0]
    assert ensure(lwa, state="absent", check_mode=True)["changed"] and len(lwa.app(CLIENT)["destinations"]) == 1
    gone = ensure(lwa, state="absent")
    assert gone["changed"] and lwa.app(CLIENT)["destinations"] == []
    assert not ensure(lwa, state="absent")["changed"]


@pytest.mark.parametrize("options, option", [
    ({"queue_arn": "arn:aws:sqs:us-east-1:123456789012:q.fifo"}, "queue_arn"),
    ({"queue_arn": "arn:aws:sns:us-east-1:123456789012:topic"}, "queue_arn"),
    ({"name": ""}, "name"),
    ({"name": "x" * 257}, "name"),
    ({"spapi_endpoint": "http://sellingpartnerapi-na.amazon.com"}, "spapi_endpoint"),
])
def test_refused_before_any_call(lwa, options, option):
    lwa.register(CLIENT, SECRET)
    with pytest.raises(ValidationError) as refused:
        ensure(lwa, **options)
    assert refused.value.option == option and sum(lwa.calls.values()) == 0


def test_the_action_plugin_reads_the_vault_file(lwa, tmp_path):
    lwa.register(CLIENT, SECRET)
    (tmp_path / "password.txt").write_text("destination password\n")
    write_vault_file(str(tmp_path / "lwa.vault.yml"), CREDENTIALS, [("spapi", VaultSecret(b"destination password"))])
    task = {"name": "destination", "spapi.onboarding.notification_destination": {
        "name": "sp-api-notifications", "queue_arn": ARN, "vault_file": "lwa.vault.yml"}}
    run = run_playbook(play([task, dict(task, name="again")]), tmp_path, "http://127.0.0.1:9",
                       args=["--vault-id", "spapi@password.txt", "-vvvv"],
                       env={"SPAPI_LWA_ENDPOINT": lwa.token_url, "SPAPI_ENDPOINT": lwa.url})
    run.assert_ok()
    assert run.result("destination")["changed"] and not run.result("again")["changed"]
    assert run.result("again")["destination_id"] == lwa.app(CLIENT)["destinations"][0]["destinationId"]
    assert SECRET not in run.output and "Atza|" not in run.output and SECRET not in json.dumps(run.records)
