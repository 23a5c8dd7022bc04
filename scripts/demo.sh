#!/usr/bin/env bash
# `make demo`: the onboarding playbook against a local AWS stand-in (moto server on 127.0.0.1).
# Everything it writes stays in .demo/ (git-ignored): the settings sheet, the vault file and the
# demo vault password. No real AWS account is touched: the credentials are moto's dummies.
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
trap '"$BIN/python" "$ROOT/scripts/moto_server.py" stop "$DEMO/moto"; echo "demo: moto server stopped"' EXIT
echo "demo: moto server on $URL"

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

echo "demo: ansible-playbook playbooks/verify.yml"
ansible-playbook "$ROOT/playbooks/verify.yml" "${VAULT[@]}"

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
cat <<EOF

Settings sheet (read it, type it into the form): ${OUT#$ROOT/}/SellingPartnerAPIUser.app-client.md
Machine-readable settings:                       ${OUT#$ROOT/}/SellingPartnerAPIUser.app-client.json
Access key, encrypted with Ansible Vault:        ${OUT#$ROOT/}/SellingPartnerAPIUser.vault.yml
  view it: .venv/bin/ansible-vault view --vault-id spapi@.demo/vault-password ${OUT#$ROOT/}/SellingPartnerAPIUser.vault.yml
(All of this is against moto server: the ARNs and the key are not real.)
EOF
