#!/usr/bin/env bash
# `make demo`: the onboarding playbook against a local AWS stand-in (moto server on 127.0.0.1), then
# the LWA part against a local LWA / SP-API stand-in (tools/standins/lwa.py) that sends its
# notifications to moto's SQS. Everything it writes stays in .demo/ (git-ignored): the settings
# sheet, the vault files and the demo vault password. No real AWS account and no Amazon endpoint is
# touched: the credentials are dummies.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DEMO=${SPAPI_DEMO_DIR:-$ROOT/.demo}  # tests point it elsewhere
BIN=$ROOT/.venv/bin
OUT=$DEMO/spapi-onboarding
export PATH="$BIN:$PATH"
export ANSIBLE_COLLECTIONS_PATH="${ANSIBLE_COLLECTIONS_PATH:-$ROOT/.venv/collections}"
export ANSIBLE_LOCALHOST_WARNING=False ANSIBLE_INVENTORY_UNPARSED_WARNING=False ANSIBLE_DISPLAY_SKIPPED_HOSTS=False

mkdir -p "$DEMO"
chmod 700 "$DEMO"

# A moto server keeps its state in memory only: each demo starts a new, empty AWS account.
# The vault file of an earlier demo holds a key that only the earlier server knew, so it is
# removed here and onboarding creates the whole chain, and a new key, again.
if [ -e "$OUT/SellingPartnerAPIUser.vault.yml" ]; then
  echo "demo: new moto server, new empty account: removing the previous demo's vault file (its key existed only in the previous server)"
  rm -f "$OUT/SellingPartnerAPIUser.vault.yml"
fi

URL=$("$BIN/python" "$ROOT/scripts/moto_server.py" start "$DEMO/moto")
stop_stand_ins() {
  "$BIN/python" "$ROOT/scripts/lwa_standin.py" stop "$DEMO/lwa"
  "$BIN/python" "$ROOT/scripts/moto_server.py" stop "$DEMO/moto"
  echo "demo: moto server stopped"
}
trap stop_stand_ins EXIT
echo "demo: moto server on $URL"
LWA_URL=$("$BIN/python" "$ROOT/scripts/lwa_standin.py" start "$DEMO/lwa" "$URL")
echo "demo: LWA / SP-API stand-in on $LWA_URL"

# Dummy credentials for moto, and never the machine's own AWS configuration.
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_DEFAULT_PROFILE
export AWS_ENDPOINT_URL=$URL AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null

PASSWORD=$DEMO/vault-password
if [ ! -s "$PASSWORD" ]; then
  (umask 077 && "$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(24))' > "$PASSWORD")
fi
VAULT=(--vault-id "spapi@$PASSWORD")

cd "$DEMO"  # the playbooks write their files below the directory they run from
echo "demo: ansible-playbook playbooks/onboard.yml"
ansible-playbook "$ROOT/playbooks/onboard.yml" "${VAULT[@]}"

echo "demo: ansible-playbook playbooks/onboard.yml, again: it must change nothing"
ansible-playbook "$ROOT/playbooks/onboard.yml" "${VAULT[@]}" | tee "$DEMO/rerun.log" | grep -E '^localhost +:'
grep -Eq '^localhost +: ok=[0-9]+ +changed=0 ' "$DEMO/rerun.log"


"$BIN/python" - "$OUT/SellingPartnerAPIUser.app-client.json" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
settings, labels = data["app_client"], data["labels"]
print("\nApp client settings (Seller Central > Develop Apps > Add new app client):")
for key, value in settings.items():
    if isinstance(value, list):
        value = "%d selected: %s" % (len(value), ", ".join(value)) if key == "roles" else ", ".join(value)
    print("  %-28s %s" % (labels[key] + ":", value))
print("  + checklists: developer registration (%d steps), app listing (%d steps)" % (
    len(data["checklists"]["developer_registration"]), len(data["checklists"]["app_listing"])))
PY
# The LWA part: a demo application in the stand-in, its credentials proven and vaulted, the two
# Notification Preferences queues, a Secrets Manager export, then a check of the vaulted credentials.
export SPAPI_LWA_ENDPOINT=$LWA_URL/auth/o2/token SPAPI_ENDPOINT=$LWA_URL
DEMO_CLIENT=amzn1.application-oa2-client.0d3m0c1i3n7
DEMO_SECRETS=$DEMO/lwa-secrets.yml
(umask 077 && "$BIN/python" - "$DEMO_SECRETS" <<'PY'
import secrets, sys, yaml
yaml.safe_dump({"lwa_client_secret": "amzn1.oa2-cs.v1." + secrets.token_hex(32),
                "lwa_refresh_token": "Atzr|" + secrets.token_urlsafe(48)}, open(sys.argv[1], "w"))
PY
)
# The demo app's secret expires in 10 days, and its "Application Client New Secret" row already names
# the queue lwa_store.yml builds (by hand, a person pastes that ARN into the Developer Console).
EXPIRES=$("$BIN/python" -c 'import datetime as d; print((d.datetime.now(d.timezone.utc) + d.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%SZ"))')
"$BIN/python" - "$DEMO_SECRETS" "$DEMO_CLIENT" "$EXPIRES" > "$DEMO/lwa-application.json" <<'PY'
import json, sys, yaml
given = yaml.safe_load(open(sys.argv[1]))
print(json.dumps({"client_id": sys.argv[2], "client_secret": given["lwa_client_secret"],
                  "refresh_tokens": [given["lwa_refresh_token"]], "application_id": "amzn1.sp.solution.d3m0",
                  "client_secret_expires": sys.argv[3],
                  "new_secret_queue": "arn:aws:sqs:us-east-1:123456789012:sp-api-application-client-new-secret"}))
PY
"$BIN/python" "$ROOT/scripts/lwa_standin.py" register "$DEMO/lwa" "$(cat "$DEMO/lwa-application.json")"
rm -f "$DEMO/lwa-application.json"
echo "demo: ansible-playbook playbooks/lwa_store.yml (the secrets come from a file here; by hand it prompts)"
ansible-playbook "$ROOT/playbooks/lwa_store.yml" "${VAULT[@]}" -e "lwa_client_id=$DEMO_CLIENT" -e "@$DEMO_SECRETS" \
  -e "lwa_client_secret_expires=$EXPIRES" -e lwa_export_secret_name=sp-api/demo-credentials
rm -f "$DEMO_SECRETS"

echo "demo: ansible-playbook playbooks/lwa_rotate.yml (the secret expires within 30 days: it is rotated)"
ansible-playbook "$ROOT/playbooks/lwa_rotate.yml" "${VAULT[@]}" -e lwa_export_secret_name=sp-api/demo-credentials

echo "demo: ansible-playbook playbooks/verify.yml (the IAM chain, then the LWA credentials)"
ansible-playbook "$ROOT/playbooks/verify.yml" "${VAULT[@]}"

cat <<EOF

Settings sheet (read it, type it into the form): ${OUT#$ROOT/}/SellingPartnerAPIUser.app-client.md
Machine-readable settings:                       ${OUT#$ROOT/}/SellingPartnerAPIUser.app-client.json
Access key, encrypted with Ansible Vault:        ${OUT#$ROOT/}/SellingPartnerAPIUser.vault.yml
  view it: .venv/bin/ansible-vault view --vault-id spapi@.demo/vault-password ${OUT#$ROOT/}/SellingPartnerAPIUser.vault.yml
LWA credentials, encrypted with Ansible Vault:   ${OUT#$ROOT/}/lwa.vault.yml
(All of this is against moto server and a local LWA stand-in: the ARNs, keys and secrets are not real.)
EOF
