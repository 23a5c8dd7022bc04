"""The vault file cannot be turned against its owner (invariant 9), through real ansible-playbook runs.

A team's vault file keeps its own variables through onboarding, rotation and offboarding; a
symlinked path, an unsafe directory or a file that is not a mapping is refused before any AWS
call and left as it was; a vault file opened up to 0644 is brought back to 0600.

Every run is a step of one ansible-playbook process (tests/support/steps.py): each scenario works in
a directory of its own below the playbook's (the team's vault file in group_vars/ beside it, where
ansible-playbook loads it too), on an account emptied where the scenario starts.
"""

import os
import stat

import pytest
import yaml
from ansible.parsing.vault import VaultLib, VaultSecret

from tests.support.moto import writes
from tests.support.steps import Step, rescued, run_steps

USER = "SellingPartnerAPIUser"
PASSWORD = "correct horse battery staple"
VAULT_ARGS = ["--vault-id", "spapi@password.txt"]
SECRETS = [("spapi", VaultSecret(PASSWORD.encode()))]
TEAM_VARS = {"db_password": "hunter2", "deploy_tokens": ["a", "b"], "smtp": {"host": "mail.example.com", "port": 25}}
OURS = {"aws_access_key_id", "aws_secret_access_key", "iam_user_arn", "created"}


def encrypt_to(path, data, vault_id="spapi"):
    path.write_bytes(VaultLib(SECRETS).encrypt(yaml.safe_dump(data), SECRETS[0][1], vault_id=vault_id))
    path.chmod(0o600)


def decrypt(path):
    return yaml.safe_load(VaultLib(SECRETS).decrypt(path.read_bytes()))


def mode(path):
    return stat.S_IMODE(os.lstat(str(path)).st_mode)


def key_task(name="key", **options):
    options.setdefault("vault_id", "spapi")
    return {"name": name, "spapi.onboarding.access_key": options, "register": name}


def active_keys(aws):
    return sorted(k["AccessKeyId"] for k in aws.iam.list_access_keys(UserName=USER)["AccessKeyMetadata"]
                  if k["Status"] == "Active")


NOT_MAPPINGS = [["a", "list"], "just a string", 42]
UNSAFE_DIRECTORIES = [
    (0o770, "is writable by its group or by others (mode 0770)"),
    (0o777, "is writable by its group or by others (mode 0777)"),
    (0o1777, "is writable by its group or by others (mode 1777)"),
]
AS_ROOT = os.geteuid() == 0
VERIFY = {"assume_role": False, "fail_on_error": False}


def refused(name, **options):
    return rescued(dict(key_task(name, **options), register=name.replace(" ", "_")))


def key_step(name, check=False, reset=False, before=None, after=None, **options):
    """One run of access_key with these options, its AWS calls recorded."""
    return Step(name, [key_task(**options)], check=check, record=True, reset=reset, before=before, after=after)


@pytest.fixture(scope="module")
def runs(module_moto, module_aws, tmp_path_factory):
    aws = module_aws
    workdir = tmp_path_factory.mktemp("vault_safety")
    (workdir / "password.txt").write_text(PASSWORD + "\n")
    (workdir / "group_vars" / "all").mkdir(parents=True, mode=0o755)
    os.chmod(str(workdir / "group_vars" / "all"), 0o755)
    team_file = workdir / "group_vars" / "all" / "vault.yml"
    encrypt_to(team_file, TEAM_VARS)
    kept = {}

    def new_account():
        aws.iam.create_user(UserName=USER)

    def team_state():
        return decrypt(team_file), active_keys(aws), mode(team_file), team_file.exists()

    # Files prepared before the process starts; each case in its own directory.
    for index, content in enumerate(NOT_MAPPINGS):
        (workdir / ("team%d" % index)).mkdir(mode=0o700)
        encrypt_to(workdir / ("team%d" % index) / "vault.yml", content)
        kept["not mapping %d" % index] = (workdir / ("team%d" % index) / "vault.yml").read_bytes()
    (workdir / "symlink").mkdir()
    target = workdir / "symlink" / "elsewhere.yml"
    target.write_text("something the link's author wants overwritten\n")
    target.chmod(0o644)
    (workdir / "symlink" / "sp.vault.yml").symlink_to(target)
    kept["symlink target"] = target.read_bytes()
    for index, (directory_mode, dummy) in enumerate(UNSAFE_DIRECTORIES):
        shared = workdir / ("unsafe%d" % index) / "shared"
        shared.mkdir(parents=True)
        shared.chmod(directory_mode)
    if AS_ROOT:
        theirs = workdir / "theirs"
        theirs.mkdir(mode=0o755)
        os.chown(str(theirs), 65534, 65534)
    (workdir / "lock").mkdir()
    (workdir / "lock" / "precious.txt").write_text("not a lock\n")
    (workdir / "lock" / "sp.vault.yml.lock").symlink_to(workdir / "lock" / "precious.txt")
    for name in ("alone", "loose", "verify"):
        (workdir / name).mkdir()

    def loosen(path):
        kept[path] = (workdir / path).read_bytes()
        (workdir / path).chmod(0o644)

    team = "group_vars/all/vault.yml"
    verify = [{"name": "verify", "register": "verify",
               "spapi.onboarding.verify": dict(VERIFY, vault_file="verify/sp.vault.yml")}]
    steps = [
        key_step("team created", reset=True, before=new_account, after=team_state, vault_file=team),
        key_step("team rotated", after=team_state, vault_file=team, rotate=True),
        key_step("team removed", after=team_state, vault_file=team, state="absent"),
        key_step("team again", after=team_state, vault_file=team, state="absent"),
        key_step("alone created", reset=True, before=new_account, after=lambda: decrypt(workdir / "alone/sp.vault.yml"),
                 vault_file="alone/sp.vault.yml"),
        key_step("alone removed", after=(workdir / "alone/sp.vault.yml").exists,
                 vault_file="alone/sp.vault.yml", state="absent"),
        Step("not mappings", [refused("case %d" % index, vault_file="team%d/vault.yml" % index)
                              for index in range(len(NOT_MAPPINGS))], record=True, reset=True, before=new_account,
             after=lambda: active_keys(aws)),
        key_step("loose created", reset=True, before=new_account, vault_file="loose/sp.vault.yml"),
        key_step("loose predicted", check=True, before=lambda: loosen("loose/sp.vault.yml"),
                 after=lambda: mode(workdir / "loose/sp.vault.yml"), vault_file="loose/sp.vault.yml"),
        key_step("loose fixed", vault_file="loose/sp.vault.yml",
                 after=lambda: (mode(workdir / "loose/sp.vault.yml"), (workdir / "loose/sp.vault.yml").read_bytes())),
        key_step("loose converged", vault_file="loose/sp.vault.yml"),
        Step("symlink check", [refused("key", vault_file="symlink/sp.vault.yml")], check=True, record=True,
             reset=True, before=new_account),
        Step("symlink", [refused("key", vault_file="symlink/sp.vault.yml")], record=True,
             after=lambda: (target.read_bytes(), mode(target), os.path.islink(str(workdir / "symlink/sp.vault.yml")),
                            os.path.exists(str(workdir / "symlink/sp.vault.yml.lock")), active_keys(aws))),
        Step("unsafe", [refused("case %d" % index, vault_file="unsafe%d/shared/sp.vault.yml" % index)
                        for index in range(len(UNSAFE_DIRECTORIES))], record=True,
             after=lambda: [os.listdir(str(workdir / ("unsafe%d" % index) / "shared"))
                            for index in range(len(UNSAFE_DIRECTORIES))]),
        Step("theirs", [refused("key", vault_file="theirs/sp.vault.yml")] if AS_ROOT else [], record=True,
             after=lambda: os.listdir(str(workdir / "theirs")) if AS_ROOT else None),
        Step("lock", [refused("key", vault_file="lock/sp.vault.yml")], record=True,
             after=lambda: ((workdir / "lock" / "precious.txt").read_text(), (workdir / "lock/sp.vault.yml").exists())),
        key_step("verify created", reset=True, before=new_account, vault_file="verify/sp.vault.yml"),
        Step("verify loose", verify, before=lambda: loosen("verify/sp.vault.yml")),
        key_step("verify restored", after=lambda: mode(workdir / "verify/sp.vault.yml"),
                 vault_file="verify/sp.vault.yml"),
        Step("verify again", verify),
    ]
    run = run_steps(workdir, module_moto, steps, VAULT_ARGS)
    run.workdir, run.kept = workdir, kept
    return run


def test_a_team_vault_file_keeps_its_variables_through_write_rotation_and_removal(runs):
    created = runs["team created"]
    created.assert_ok()
    content, keys, file_mode, dummy = created.seen
    assert {k: content[k] for k in TEAM_VARS} == TEAM_VARS
    assert set(content) == set(TEAM_VARS) | OURS
    assert content["aws_access_key_id"] == created.result("key")["access_key_id"] == keys[0]
    assert (runs.workdir / "group_vars/all/vault.yml").read_bytes().startswith(b"$ANSIBLE_VAULT;1.2;AES256;spapi")
    assert file_mode == 0o600

    rotated = runs["team rotated"]
    rotated.assert_ok()
    content, keys, dummy, dummy = rotated.seen
    assert rotated.result("key")["rotated"] is True
    assert {k: content[k] for k in TEAM_VARS} == TEAM_VARS
    assert content["aws_access_key_id"] == rotated.result("key")["access_key_id"] == keys[0]

    removed = runs["team removed"]
    removed.assert_ok()
    assert "its other variables are kept" in " ".join(removed.result("key")["actions"])
    content, keys, file_mode, exists = removed.seen
    assert exists and content == TEAM_VARS
    assert file_mode == 0o600
    assert keys == []

    # Nothing of the collection's is left in it: removing again changes nothing.
    again = runs["team again"]
    again.assert_ok()
    assert again.result("key")["changed"] is False and writes(again.calls) == []
    assert again.seen[0] == TEAM_VARS


def test_a_vault_file_of_the_collection_alone_is_deleted_on_removal(runs):
    runs["alone created"].assert_ok()
    assert set(runs["alone created"].seen) == OURS
    removed = runs["alone removed"]
    removed.assert_ok()
    assert removed.seen is False


@pytest.mark.parametrize("content", NOT_MAPPINGS)
def test_a_vault_file_that_is_not_a_mapping_is_refused_untouched(runs, content):
    # Not under group_vars/: ansible-playbook itself would refuse to load it as variables.
    index = NOT_MAPPINGS.index(content)
    run = runs["not mappings"]
    assert run.returncode != 0 and run.status("case %d" % index) == "failed"
    assert "does not contain a YAML mapping; it was left untouched" in run.result("case %d" % index)["msg"]
    assert (runs.workdir / ("team%d" % index) / "vault.yml").read_bytes() == runs.kept["not mapping %d" % index]
    assert writes(run.calls) == [] and run.seen == []


def test_a_loose_vault_file_is_brought_back_to_0600(runs):
    runs["loose created"].assert_ok()
    vault_file = runs.workdir / "loose" / "sp.vault.yml"
    before = runs.kept["loose/sp.vault.yml"]

    predicted = runs["loose predicted"]
    predicted.assert_ok()
    assert predicted.result("key")["changed"] is True
    assert predicted.seen == 0o644 and writes(predicted.calls) == []

    fixed = runs["loose fixed"]
    fixed.assert_ok()
    result = fixed.result("key")
    assert result["changed"] is True
    assert result["actions"] == ["set the mode of the vault file %s back to 0600 (it was 0644)" % vault_file]
    file_mode, content = fixed.seen
    assert file_mode == 0o600
    assert content == before  # same key, same file: only the mode changed
    assert writes(fixed.calls) == []

    converged = runs["loose converged"]
    assert converged.result("key")["changed"] is False


def test_a_symlinked_vault_path_is_refused_and_its_target_unchanged(runs):
    link = runs.workdir / "symlink" / "sp.vault.yml"
    for name in ("symlink check", "symlink"):
        run = runs[name]
        assert run.returncode != 0
        assert "option 'vault_file': %s is a symbolic link" % link in run.result("key")["msg"]
        assert run.calls == []  # refused before any AWS call
    content, target_mode, is_link, lock_exists, keys = runs["symlink"].seen
    assert content == runs.kept["symlink target"] and target_mode == 0o644
    assert is_link and not lock_exists
    assert keys == []


@pytest.mark.parametrize("directory_mode, rule", UNSAFE_DIRECTORIES)
def test_a_vault_file_in_an_unsafe_directory_is_refused(runs, directory_mode, rule):
    index = UNSAFE_DIRECTORIES.index((directory_mode, rule))
    shared = runs.workdir / ("unsafe%d" % index) / "shared"
    run = runs["unsafe"]
    assert run.returncode != 0 and run.status("case %d" % index) == "failed"
    message = run.result("case %d" % index)["msg"]
    assert message.startswith("option 'vault_file': the directory %s %s" % (shared, rule)), message
    assert "chmod go-w" in message
    assert run.calls == [] and run.seen[index] == []


@pytest.mark.skipif(not AS_ROOT, reason="giving a directory to another user needs root")
def test_a_vault_file_in_another_users_directory_is_refused(runs):
    run = runs["theirs"]
    assert run.returncode != 0
    assert "belongs to uid 65534, not to the user running the play" in run.result("key")["msg"]
    assert run.calls == [] and run.seen == []


def test_a_symlinked_lock_file_is_refused_and_its_target_unchanged(runs):
    run = runs["lock"]
    assert run.returncode != 0
    assert "the lock file %s.lock is a symbolic link" % (runs.workdir / "lock" / "sp.vault.yml") \
        in run.result("key")["msg"]
    target, vault_exists = run.seen
    assert target == "not a lock\n"
    assert run.calls == [] and not vault_exists


def test_verify_fails_the_key_check_of_a_loose_vault_file_until_onboarding_restores_it(runs):
    runs["verify created"].assert_ok()
    vault_file = runs.workdir / "verify" / "sp.vault.yml"

    def key_check(run):
        run.assert_ok()
        return next(c for c in run.result("verify")["checks"] if c["name"] == "access_key")

    loose = key_check(runs["verify loose"])
    assert loose["ok"] is False
    assert "the vault file %s has mode 0644: it must be 0600" % vault_file in loose["detail"]
    runs["verify restored"].assert_ok()
    assert runs["verify restored"].seen == 0o600
    assert key_check(runs["verify again"])["ok"] is True
