"""`make demo` (scripts/demo.sh) from a checkout, twice, in a scratch directory."""

import os
import subprocess

import pytest

from tests.support.paths import COLLECTIONS_ROOT, REPO


def run_demo(demo_dir):
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith(("AWS_", "ANSIBLE_")))
    env.update(SPAPI_DEMO_DIR=str(demo_dir), ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS_ROOT), ANSIBLE_NOCOLOR="1")
    process = subprocess.run(["bash", str(REPO / "scripts" / "demo.sh")], cwd=str(REPO), env=env,
                             capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL, check=False)
    output = process.stdout + process.stderr
    assert process.returncode == 0, output[-6000:]
    return output


@pytest.mark.slow
def test_demo_runs_twice(tmp_path):
    demo = tmp_path / "demo"
    first = run_demo(demo)
    out = demo / "spapi-onboarding"
    assert "IAM ARN:                     arn:aws:iam::123456789012:role/SellingPartnerAPIRole" in first
    assert "SellingPartnerAPIUser.app-client.md" in first and (out / "SellingPartnerAPIUser.app-client.md").exists()
    assert (out / "SellingPartnerAPIUser.vault.yml").read_text().startswith("$ANSIBLE_VAULT;")
    assert "demo: moto server stopped" in first
    assert not (demo / "moto" / "moto.pid").exists()
    # The LWA part: credentials proven against the stand-in and vaulted, the two queues, the stand-in stopped.
    assert (out / "lwa.vault.yml").read_text().startswith("$ANSIBLE_VAULT;")
    assert ("Notification Preferences > Application Client New Secret: "
            "arn:aws:sqs:us-east-1:123456789012:sp-api-application-client-new-secret") in first
    assert not (demo / "lwa" / "lwa.pid").exists() and not (demo / "lwa-secrets.yml").exists()
    # The demo secret expires within 30 days: lwa_rotate.yml rotates it and says until when the old one works.
    assert "Rotation: rotated (the client secret expires in" in first
    assert "The previous client secret stops working 20" in first
    # verify.yml proves the LWA credentials too, once they are vaulted.
    assert "TASK [spapi.onboarding.lwa : Prove the vaulted LWA credentials and check the secret's expiry]" in first
    sheet = (out / "SellingPartnerAPIUser.app-client.md").read_text()

    second = run_demo(demo)
    assert "removing the previous demo's vault file" in second
    assert (out / "SellingPartnerAPIUser.app-client.md").read_text() == sheet
    assert (demo / "vault-password").stat().st_mode & 0o777 == 0o600
