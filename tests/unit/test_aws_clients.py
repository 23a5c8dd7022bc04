"""How AWS clients are made (module_utils/_aws/clients.py): botocore's data parsed once per process and shared
by every session, and a client made only when it is first used. Pure: no call leaves the process."""

import gc

import pytest

from ansible_collections.spapi.onboarding.plugins.module_utils._aws import clients
from ansible_collections.spapi.onboarding.plugins.module_utils._aws.connection import AwsConnection
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError

PARAMS = {"access_key": "AKIAIOSFODNN7EXAMPLE", "secret_key": "testing", "region": "eu-west-1",
          "endpoint_url": "http://127.0.0.1:9"}


def test_importing_the_connection_parsed_the_common_data_and_froze_the_heap():
    cached = clients.shared_loader()._cache
    for name in ("endpoints", "partitions", "sdk-default-configuration", "_retry"):
        assert ("load_data_with_path", name) in cached, name
    assert ("list_available_services", "service-2") in cached
    # Frozen for the garbage collector: the workers ansible-playbook forks do not walk it again.
    assert gc.get_freeze_count() > 0


def test_every_session_of_the_process_reads_through_the_one_loader():
    first, second = AwsConnection(dict(PARAMS)), AwsConnection(dict(PARAMS, region="us-east-1"))
    assert first.iam.meta.region_name == "eu-west-1" and second.sts.meta.region_name == "us-east-1"
    loaders = {id(c._session._session.get_component("data_loader")) for c in (first, second)}
    assert loaders == {id(clients.shared_loader())}
    # What the first client parsed (endpoints, the IAM model) is not parsed again for the next.
    cached = clients.shared_loader()._cache
    assert ("load_data_with_path", "endpoints") in cached
    assert [key for key in cached if key[:3] == ("load_service_model", "iam", "service-2")]


def test_a_client_is_made_when_first_used_not_when_asked_for():
    connection = AwsConnection(dict(PARAMS))
    iam = connection.iam
    assert isinstance(iam, clients.LazyClient) and connection._session is None
    assert connection.iam is iam  # one client per service
    assert iam.meta.service_model.service_name == "iam" and connection._session is not None
    # What the error messages read from the bound method's client is there.
    assert iam.get_user.__self__.spapi_operator_credentials is True
    assert list(connection._clients) == ["iam"]


def test_bad_options_are_still_refused_at_the_first_use_before_any_call():
    connection = AwsConnection(dict(PARAMS, profile="someone"))
    held = connection.sts  # holding it is free
    with pytest.raises(ValidationError, match="profile"):
        held.get_caller_identity  # pylint: disable=pointless-statement
