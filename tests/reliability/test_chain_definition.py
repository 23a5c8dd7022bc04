"""The chain definition the reliability scenarios and the benchmark share (tests/support/chain.py) works
as each of them runs it: for one identity with the iam role's variables, and in a loop over identities."""

import importlib.util
import json

import yaml

from tests.reliability import helpers
from tests.support.moto import writes
from tests.support.paths import REPO
from tests.support.steps import Step, run_steps

_SPEC = importlib.util.spec_from_file_location("bench_run", str(REPO / "bench" / "run.py"))
bench = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(bench)


def test_the_reliability_chain_onboards_with_the_role_variables(moto, aws, tmp_path, monkeypatch):
    credentials = helpers.admin_with_enforcement(aws)
    monkeypatch.setattr(helpers, "ONBOARD", None)  # the chain playbook instead of playbooks/onboard.yml
    run = helpers.onboard(tmp_path, moto.url, credentials)
    run.assert_ok()
    assert run.result("Verify the chain and assume the role")["ok"] is True
    helpers.assert_one_working_key(moto.url, credentials, tmp_path / "sp.vault.yml")


def test_the_benchmark_chain_onboards_each_identity_then_converges(moto, aws, tmp_path):
    book = bench.chain_playbook(list(bench.available_steps()))
    (tmp_path / "chain.yml").write_text(yaml.safe_dump(book, sort_keys=False))
    (tmp_path / "identities.json").write_text(json.dumps({"identities": bench.identities(2)}))
    (tmp_path / "password").write_text("chain-definition-test\n")
    args = ["-e", "@identities.json", "--vault-id", "%s@password" % bench.VAULT_ID]
    # Both runs of the chain, the steps of one process (tests/support/steps.py).
    runs = run_steps(tmp_path, moto, [Step(attempt, playbook=tmp_path / "chain.yml", record=True)
                                      for attempt in ("first", "converged")], args, playbook_dir=tmp_path / "plays")
    for attempt in ("first", "converged"):
        run = runs[attempt]
        calls = run.calls
        run.assert_ok()
        verified = run.result("Verify the chain and assume the role")["results"]
        assert [r["ok"] for r in verified] == [True, True], attempt
        assert [c["status"] for c in verified[0]["checks"]][-1] == "passed"
        if attempt == "converged":
            assert writes(calls) == [], calls
    users = sorted(u["UserName"] for u in aws.iam.list_users()["Users"])
    assert users == ["SellingPartnerAPIUser01", "SellingPartnerAPIUser02"]
