"""The modules that hold secrets never run as a plain module process: each one's main() refuses, naming itself."""

import importlib
import json

import pytest
from ansible.module_utils.testing import patch_module_args

CONTROLLER_ONLY = ["access_key", "iam_plan", "lwa_check", "lwa_credentials", "lwa_export", "lwa_rotate",
                   "notification_destination", "verify"]
REQUIRED = {"access_key": {"vault_file": "k.vault.yml"}, "iam_plan": {"vault_file": "k.vault.yml"},
            "lwa_rotate": {"queue_name": "q"}, "notification_destination": {"queue_arn": "arn:aws:sqs:us-east-1:123456789012:q"}}


@pytest.mark.parametrize("name", CONTROLLER_ONLY)
def test_main_refuses_outside_the_controller(name, capsys):
    module = importlib.import_module("ansible_collections.spapi.onboarding.plugins.modules.%s" % name)
    with patch_module_args(REQUIRED.get(name, {})):
        with pytest.raises(SystemExit):
            module.main()
    result = json.loads(capsys.readouterr().out)
    assert result["failed"] is True
    assert result["msg"] == ("this module runs on the controller through its action plugin (spapi.onboarding.%s); "
                             "it cannot run as a plain module" % name)
