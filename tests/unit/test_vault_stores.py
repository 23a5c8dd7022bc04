"""The vault stores' pure rules: which store a location names, AWX jobs' throwaway directories, which bucket
grants are foreign, the lock's owner and body. No network."""

import os

import pytest

from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault import files
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.runner import job_data_dir, refuse_throwaway
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.s3 import foreign_grants, parse_location
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.s3_lock import _parse, run_id
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.store import LocalStore, is_s3, open_store

ACCOUNT = "123456789012"


@pytest.mark.parametrize("location, bucket, key", [
    ("s3://team-vault/spapi/user.vault.yml", "team-vault", "spapi/user.vault.yml"),
    ("s3://a.b-c/k", "a.b-c", "k"),
])
def test_s3_locations(location, bucket, key):
    assert is_s3(location) and parse_location(location, "iam_vault_file") == (bucket, key)


@pytest.mark.parametrize("location, rule", [
    ("s3://Team/k", "does not name an S3 bucket"),
    ("s3://ab/k", "does not name an S3 bucket"),
    ("s3://a..b/k", "does not name an S3 bucket"),
    ("s3://team-vault", "does not name an object"),
    ("s3://team-vault/", "does not name an object"),
    ("s3://team-vault/dir/", "does not name an object"),
])
def test_bad_s3_locations_name_the_option_and_the_rule(location, rule):
    with pytest.raises(ValidationError) as refused:
        parse_location(location, "iam_vault_file")
    assert str(refused.value).startswith("option 'iam_vault_file': ") and rule in str(refused.value)


def test_a_local_path_is_a_local_store_resolved_against_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    store = open_store("spapi-onboarding/lwa.vault.yml", task=None)
    assert isinstance(store, LocalStore) and not store.shared
    assert store.location == str(tmp_path / "spapi-onboarding" / "lwa.vault.yml")


@pytest.mark.parametrize("environ, expected", [
    ({}, None),
    ({"AWX_ISOLATED_DATA_DIR": "/var/lib/awx/job_42/artifacts/42"}, "/var/lib/awx/job_42"),
    ({"AWX_ISOLATED_DATA_DIR": "/runner/artifacts/7"}, "/runner"),
])
def test_the_private_data_dir_of_an_ansible_runner_job(environ, expected):
    assert job_data_dir(environ) == expected


def test_a_local_vault_inside_the_job_dir_is_refused_and_one_outside_is_not(tmp_path):
    environ = {"AWX_ISOLATED_DATA_DIR": str(tmp_path / "job" / "artifacts" / "1")}
    with pytest.raises(ValidationError) as refused:
        refuse_throwaway(str(tmp_path / "job" / "project" / "spapi-onboarding" / "u.vault.yml"), "iam_vault_file",
                         environ)
    message = str(refused.value)
    assert message.startswith("option 'iam_vault_file': ") and "deletes when the job ends" in message
    assert "s3://BUCKET/KEY" in message
    refuse_throwaway(str(tmp_path / "elsewhere" / "u.vault.yml"), "iam_vault_file", environ)
    refuse_throwaway(str(tmp_path / "job" / "project" / "u.vault.yml"), "iam_vault_file", {})


def test_a_loose_mode_read_in_an_awx_job_points_at_the_shared_store(monkeypatch):
    monkeypatch.delenv("AWX_ISOLATED_DATA_DIR", raising=False)
    assert "chmod 600" in files.loose_mode_error("/x/v.yml", 0o644)
    monkeypatch.setenv("AWX_ISOLATED_DATA_DIR", "/var/lib/awx/job/artifacts/1")
    message = files.loose_mode_error("/var/lib/awx/job/project/v.yml", 0o644)
    assert "chmod" not in message and "s3://BUCKET/KEY" in message and "0644" in message


def statement(principal, effect="Allow"):
    return {"Effect": effect, "Principal": principal, "Action": "s3:GetObject", "Resource": "*"}


@pytest.mark.parametrize("statements, foreign", [
    ([], []),
    ([statement("*")], ["*"]),
    ([statement({"AWS": "*"})], ["*"]),
    ([statement({"AWS": "arn:aws:iam::210987654321:root"})], ["arn:aws:iam::210987654321:root"]),
    ([statement({"AWS": ["210987654321", "arn:aws:iam::%s:role/ops" % ACCOUNT]})], ["210987654321"]),
    ([statement({"AWS": ACCOUNT}), statement({"AWS": "arn:aws:iam::%s:user/u" % ACCOUNT})], []),
    ([statement({"Service": "logging.s3.amazonaws.com"})], []),
    ([statement("*", effect="Deny")], []),
    ([statement({"Federated": "cognito-identity.amazonaws.com"}), statement({"CanonicalUser": "abc"})],
     ["abc", "cognito-identity.amazonaws.com"]),
])
def test_foreign_grants_of_a_bucket_policy(statements, foreign):
    assert foreign_grants({"Statement": statements}, ACCOUNT) == foreign


@pytest.mark.parametrize("environ, expected", [
    ({"JOB_ID": "4242"}, "awx-job-4242"),
    ({"AWX_ISOLATED_DATA_DIR": "/var/lib/awx/x/artifacts/abc/"}, "runner-abc"),
    ({}, "pid-%d" % os.getppid()),
])
def test_the_run_id_is_the_same_for_every_task_of_one_run(environ, expected):
    assert run_id(environ) == expected


@pytest.mark.parametrize("body, owner", [
    (b'{"owner": "ops@awx run awx-job-1", "expires": "2030-01-01T00:00:00Z"}', "ops@awx run awx-job-1"),
    (b"not json", None),
    (b'{"owner": "x"}', None),
    (b'{"owner": "x", "expires": "soon"}', None),
])
def test_lock_bodies(body, owner):
    assert _parse(body)[0] == owner
