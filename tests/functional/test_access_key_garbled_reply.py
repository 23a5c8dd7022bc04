"""A CreateAccessKey reply that cannot be parsed still holds the secret: it must not leak, and the key
it created must not be left behind."""

import re

from tests.functional.test_access_key import VAULT_ARGS, admin_with_user, write_password
from tests.support.ansible import play, run_playbook
from tests.support.aws_proxy import AwsProxy

USER = "SellingPartnerAPIUser"


def test_garbled_create_reply_leaks_nothing_and_leaves_no_key(moto, aws, tmp_path):
    credentials, admin_iam = admin_with_user(aws)
    write_password(tmp_path)
    task = {"name": "key", "spapi.onboarding.access_key": {"user_name": USER, "vault_file": "sp.vault.yml"}}
    with AwsProxy(moto.url) as proxy:
        garble = proxy.add_fault(["CreateAccessKey"], "Garbled", times=1, garble=True)
        run = run_playbook(play([task]), tmp_path, proxy.url, VAULT_ARGS + ["-vvv"], credentials=credentials)
    assert garble.fired == 1
    secret = re.search(rb"<SecretAccessKey>([^<]+)</SecretAccessKey>", garble.replies[0]).group(1).decode()
    assert run.returncode != 0
    assert "AWS sent a reply that could not be parsed" in run.result("key")["msg"]
    assert secret not in run.output
    assert secret not in str(run.records)
    # The key the unreadable reply announced was found and deleted again: nothing holds its secret.
    assert admin_iam.list_access_keys(UserName=USER)["AccessKeyMetadata"] == []
    assert not (tmp_path / "sp.vault.yml").exists()
