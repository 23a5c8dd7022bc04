#!/bin/sh
# Vault password client of the molecule scenario: a random demo password, made on first use.
set -eu
file="${MOLECULE_EPHEMERAL_DIRECTORY:?}/vault-password"
if [ ! -s "$file" ]; then
  mkdir -p "$(dirname "$file")"
  (umask 077 && od -An -N24 -tx1 /dev/urandom | tr -d ' \n' > "$file")
fi
cat "$file"
