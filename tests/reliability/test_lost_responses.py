"""Lost responses: the server acted, the reply never came back, botocore retried the call.

The proxy answers 503 after moto has done the work (fault after=True), once per create call.
A naive create would then fail on EntityAlreadyExists, or, for CreateAccessKey, leave a second
key whose secret nobody has. The run must converge to one entity of each kind and one key.
"""

import datetime

from ansible_collections.spapi.onboarding.plugins.module_utils._common import dates as _dates
from tests.reliability.helpers import USER, admin_with_enforcement, assert_one_working_key, onboard
from tests.support.aws_proxy import AwsProxy

LOST = ["CreateUser", "CreatePolicy", "CreateRole", "CreateAccessKey"]  # and DeleteAccessKey below


def test_lost_replies_converge_without_duplicates(moto, aws, tmp_path):
    credentials = admin_with_enforcement(aws)
    with AwsProxy(moto.url) as proxy:
        for action in LOST:
            proxy.add_fault([action], "ServiceUnavailable", times=1, after=True)
        run = onboard(tmp_path, proxy.url, credentials)
        run.assert_ok()
        # Every create reached the server twice: the lost attempt and botocore's retry.
        assert dict((a, proxy.calls[a]) for a in LOST) == dict((a, 2) for a in LOST), proxy.calls
        assert sorted(k[0] for k in proxy.injected) == sorted(LOST)
        # The key made by the lost attempt was found and deleted again within the run.
        assert proxy.calls["DeleteAccessKey"] == 1, proxy.calls
    vault = assert_one_working_key(moto.url, credentials, tmp_path / "sp.vault.yml")
    assert vault["iam_user_arn"].endswith(":user/" + USER)

    # Rotation whose DeleteAccessKey reply (old key) is lost: the retry finds the key already
    # gone, which is what was asked; the run converges on the new key.
    with AwsProxy(moto.url) as proxy:
        proxy.add_fault(["DeleteAccessKey"], "ServiceUnavailable", times=1, after=True)
        onboard(tmp_path, proxy.url, credentials, iam_rotate_key=True).assert_ok()
        assert proxy.calls["DeleteAccessKey"] == 2, proxy.calls
    rotated = assert_one_working_key(moto.url, credentials, tmp_path / "sp.vault.yml")
    assert rotated["aws_access_key_id"] != vault["aws_access_key_id"]


def test_server_time_from_a_doubled_date_header_is_utc():
    """A proxy that adds its own Date header makes botocore join two dates: still a UTC time."""
    reply = {"ResponseMetadata": {"HTTPHeaders": {
        "date": "Mon, 01 Jan 2024 00:00:00 GMT, Mon, 01 Jan 2024 00:00:01 GMT"}}}
    assert _dates.server_time(reply) == datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    assert _dates.server_time({"ResponseMetadata": {"HTTPHeaders": {"date": "garbage"}}}).tzinfo is not None
