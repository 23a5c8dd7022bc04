"""Several SP-API identities in one account, inside a team's own playbooks, with IAM authorization on.

Each identity is an IAM user with its own role and vault file; they share the SP-API policy.
What one identity's run does must never reach another's, and a run that cannot finish is
refused before its first AWS write, naming the role variable the user set.

Runs with the same command line are steps of one process (tests/support/steps.py), the -e of a
separate run given to the step's import instead; --check and a run that fails end a process.
"""

import json
import sys

import boto3
import pytest

from tests.support.ansible import REPO, run_playbook
from tests.support.moto import admin_with_enforcement, writes
from tests.support.steps import Step, run_steps

PLAYBOOKS = REPO / "playbooks"
ACCOUNT = "123456789012"
FIRST_USER_ARN = "arn:aws:iam::%s:user/SellingPartnerAPIUser" % ACCOUNT
# Where AWS is NOT: a task that ignores the play's endpoint_url fails instead of reaching anything real.
NOWHERE = "http://127.0.0.1:9"


@pytest.fixture
def team(moto, aws, tmp_path):
    """An account administered with IAM authorization enforced, and a vault password file."""
    password = tmp_path / "vault-password"
    password.write_text("team-vault-password\n")

    class Team:
        credentials = admin_with_enforcement(aws.iam, moto)
        iam = boto3.client("iam", endpoint_url=moto.url, region_name="us-east-1",
                           aws_access_key_id=credentials["AWS_ACCESS_KEY_ID"],
                           aws_secret_access_key=credentials["AWS_SECRET_ACCESS_KEY"])
        vault = ["--vault-id", "spapi@%s" % password]

        @staticmethod
        def run(playbook, *extra, check=False):
            args = list(Team.vault) + list(extra) + (["--check", "--diff"] if check else [])
            return run_playbook(playbook, tmp_path, moto.url, args, credentials=Team.credentials)

        @staticmethod
        def steps(steps, *extra):
            """Several runs of the collection's playbooks in one process (Step(playbook=...))."""
            return run_steps(tmp_path, moto, steps, list(Team.vault) + list(extra), credentials=Team.credentials)

        @staticmethod
        def trust_of(role_name):
            return Team.iam.get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"]

    return Team


def attached_to_first_role(team):
    return team.iam.list_attached_role_policies(RoleName="SellingPartnerAPIRole")["AttachedPolicies"]


SECOND = {"iam_user_name": "SecondAppUser", "iam_role_name": "SecondAppRole"}
THIRD = {"iam_user_name": "ThirdAppUser", "iam_role_name": "ThirdAppRole"}


def test_the_play_aws_settings_reach_the_role_and_iam_aws_is_laid_over_them(moto, team, tmp_path):
    """module_defaults of the play's action group apply inside the role; iam_aws adds to them.

    The environment names neither the endpoint (a dead one) nor valid credentials: the play's
    module_defaults give the endpoint, the role's iam_aws the administrator's key. Only a merge
    of the two reaches moto with the right key.
    """
    play = [{
        "name": "A team's ops play",
        "hosts": "localhost",
        "gather_facts": False,
        "vars": {"ansible_python_interpreter": sys.executable},
        "module_defaults": {"group/spapi.onboarding.aws": {"endpoint_url": moto.url, "region": "us-east-1"}},
        "roles": [{"role": "spapi.onboarding.iam", "iam_aws": {
            "access_key": team.credentials["AWS_ACCESS_KEY_ID"],
            "secret_key": team.credentials["AWS_SECRET_ACCESS_KEY"]}}],
    }]
    nobody = {"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": "not-a-key-of-this-account"}
    run = run_playbook(play, tmp_path, moto.url, team.vault, credentials=nobody, env={"AWS_ENDPOINT_URL": NOWHERE})
    run.assert_ok()
    assert team.iam.get_user(UserName="SellingPartnerAPIUser")["User"]["Arn"] == FIRST_USER_ARN
    assert run.result("Check every link of the chain and the stored key")["ok"] is True


def test_a_second_identity_does_not_take_over_the_first_ones_role(moto, team):
    first = team.steps([
        Step("first", playbook=PLAYBOOKS / "onboard.yml", after=lambda: team.trust_of("SellingPartnerAPIRole")),
        Step("refused", playbook=PLAYBOOKS / "onboard.yml", vars={"iam_user_name": "SecondAppUser"}, record=True),
    ])
    first["first"].assert_ok()
    first_trust = first["first"].seen

    refused = first["refused"]
    calls = refused.calls
    assert refused.returncode != 0
    assert writes(calls) == [], calls
    assert "variable 'iam_role_name': the existing IAM role SellingPartnerAPIRole trusts %s" % FIRST_USER_ARN \
        in refused.output
    assert "SecondAppUser" not in [u["UserName"] for u in team.iam.list_users()["Users"]]
    assert team.trust_of("SellingPartnerAPIRole") == first_trust

    # With a role of its own, the second identity onboards beside the first.
    beside = team.steps([
        Step("second", playbook=PLAYBOOKS / "onboard.yml", vars=SECOND, after=lambda: (
            team.trust_of("SellingPartnerAPIRole"), team.trust_of("SecondAppRole"))),
        Step("verify first", playbook=PLAYBOOKS / "verify.yml"),
        Step("verify second", playbook=PLAYBOOKS / "verify.yml", vars=SECOND),
    ])
    second = beside["second"]
    second.assert_ok()
    assert "IAM ARN to paste into the form: arn:aws:iam::%s:role/SecondAppRole" % ACCOUNT in second.output
    first_role_trust, second_role_trust = second.seen
    assert first_role_trust == first_trust
    assert second_role_trust["Statement"][0]["Principal"] == {
        "AWS": "arn:aws:iam::%s:user/SecondAppUser" % ACCOUNT}
    for name in ("verify first", "verify second"):
        assert beside[name].returncode == 0, beside[name].output


def test_offboarding_an_identity_keeps_what_others_use(moto, team):
    onboarded = team.steps([
        Step("first", playbook=PLAYBOOKS / "onboard.yml"),
        Step("third", playbook=PLAYBOOKS / "onboard.yml", vars=THIRD),
    ])
    onboarded["first"].assert_ok()
    onboarded["third"].assert_ok()
    third = ["-e", "iam_user_name=ThirdAppUser", "-e", "iam_role_name=ThirdAppRole"]

    moto.start_recording()
    preview = team.run(PLAYBOOKS / "offboard.yml", *third, check=True)
    assert writes(moto.stop_recording()) == []
    preview.assert_ok()
    assert ("Would remove: inline policy SellingPartnerAPIAssumeRole of user ThirdAppUser; role ThirdAppRole; "
            "user ThirdAppUser, its access keys and vault file") in preview.output
    assert "Keeps: policy SellingPartnerAPI, because it is still attached to role SellingPartnerAPIRole" \
        in preview.output

    offboarded = team.steps([
        Step("gone", playbook=PLAYBOOKS / "offboard.yml", vars=dict(THIRD, spapi_offboard_confirm="ThirdAppUser"),
             after=lambda: (team.iam.list_users()["Users"], team.iam.list_roles()["Roles"],
                            attached_to_first_role(team))),
        Step("verify", playbook=PLAYBOOKS / "verify.yml"),
    ])
    gone = offboarded["gone"]
    gone.assert_ok()
    assert "IAM policy SellingPartnerAPI is kept: it is still attached to role SellingPartnerAPIRole" in gone.output
    users, roles, attached = gone.seen
    assert sorted(u["UserName"] for u in users) == ["SellingPartnerAPIUser", "admin"]
    assert [r["RoleName"] for r in roles] == ["SellingPartnerAPIRole"]
    assert [p["PolicyName"] for p in attached] == ["SellingPartnerAPI"]
    assert offboarded["verify"].returncode == 0, offboarded["verify"].output


def test_offboarding_keeps_a_role_that_trusts_another_identity_too(moto, team):
    shared = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {
        "AWS": [FIRST_USER_ARN, "arn:aws:iam::%s:user/admin" % ACCOUNT]}}]}
    runs = team.steps([
        Step("onboard", playbook=PLAYBOOKS / "onboard.yml"),
        Step("gone", playbook=PLAYBOOKS / "offboard.yml", vars={"spapi_offboard_confirm": "SellingPartnerAPIUser"},
             before=lambda: team.iam.update_assume_role_policy(RoleName="SellingPartnerAPIRole",
                                                               PolicyDocument=json.dumps(shared))),
    ])
    runs["onboard"].assert_ok()
    gone = runs["gone"]
    gone.assert_ok()
    assert "IAM role SellingPartnerAPIRole is kept: it also trusts arn:aws:iam::%s:user/admin" % ACCOUNT in gone.output
    assert [r["RoleName"] for r in team.iam.list_roles()["Roles"]] == ["SellingPartnerAPIRole"]
    # The policy stays attached to the kept role, so it is kept too.
    assert [p["PolicyName"] for p in team.iam.list_policies(Scope="Local")["Policies"]] == ["SellingPartnerAPI"]
    assert [u["UserName"] for u in team.iam.list_users()["Users"]] == ["admin"]


@pytest.mark.parametrize("args, variable, rule", [
    (["-e", '{"iam_role_name": "bad role!"}'], "iam_role_name", "is not a valid IAM role name"),
    (["-e", "iam_vault_id=nosuchid"], "iam_vault_id", "no vault secret with id 'nosuchid' is loaded"),
    ([], "iam_vault_id", "no vault password is loaded"),
])
def test_a_run_that_cannot_finish_is_refused_before_its_first_write(moto, team, tmp_path, args, variable, rule):
    vault = team.vault if args else []  # the last case: no vault password at all
    moto.start_recording()
    run = run_playbook(PLAYBOOKS / "onboard.yml", tmp_path, moto.url, vault + args, credentials=team.credentials)
    calls = moto.stop_recording()
    assert run.returncode != 0
    assert writes(calls) == [], calls
    assert "variable '%s'" % variable in run.output and rule in run.output, run.output
    assert [u["UserName"] for u in team.iam.list_users()["Users"]] == ["admin"]
    assert team.iam.list_roles()["Roles"] == [] and team.iam.list_policies(Scope="Local")["Policies"] == []
