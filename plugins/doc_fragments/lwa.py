# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The options of the modules that use the LWA credentials in the LWA vault file.
    DOCUMENTATION = r"""
options:
  vault_file:
    description:
      - Path of the Ansible Vault file that holds the LWA credentials (the LWA vault file).
      - It is a YAML mapping encrypted as a whole with the play's vault secret, with the keys C(lwa_client_id),
        C(lwa_client_secret), C(lwa_client_secret_expires), C(lwa_previous_client_secret),
        C(lwa_previous_client_secret_expires), C(lwa_refresh_token), C(lwa_application_id) and C(updated), so that
        M(ansible.builtin.include_vars) and C(ansible-vault view) read it. Other keys in it (a team's own variables)
        are kept.
      - A relative path resolves against the directory C(ansible-playbook) runs from, not against the playbook or
        the collection.
      - Refused, and never followed, when the path is a symbolic link or not a regular file, or when its directory
        is not owned by the user running the play or is writable by group or others.
    type: path
    default: spapi-onboarding/lwa.vault.yml
  vault_id:
    description:
      - The vault ID whose secret encrypts the file, among those given to C(ansible-playbook) with C(--vault-id).
      - When not set, an existing file keeps the vault ID it has; otherwise the default encryption rules of Ansible
        apply. Reading uses every loaded secret.
    type: str
  lwa_endpoint:
    description:
      - URL of the Login with Amazon token endpoint.
      - If not set, the E(SPAPI_LWA_ENDPOINT) environment variable, then U(https://api.amazon.com/auth/o2/token).
      - Must be C(https://); plain C(http://) is accepted only for a stand-in on a loopback address
        (C(127.0.0.1), C(::1), C(localhost)), because the request carries the client secret.
      - Its host (from the option or the environment variable) must be one of Amazon's LWA hosts,
        C(api.amazon.com), C(api.amazon.co.uk) or C(api.amazon.co.jp), or a loopback address; any other host is
        refused before a connection is made, unless O(lwa_allow_other_hosts=true).
    type: str
  lwa_ca_bundle:
    description:
      - Path to a CA bundle (PEM) that verifies the LWA and SP-API endpoints, for example behind a TLS-inspecting
        proxy. When not set, the system's trust store is used.
    type: path
  lwa_validate_certs:
    description:
      - Verify the TLS certificates of the LWA and SP-API endpoints.
      - Independent of the AWS option O(validate_certs), which never applies to LWA or SP-API, so that a stand-in
        for AWS with a self-signed certificate does not expose the LWA credentials.
      - V(false) only for a stand-in that never sees real credentials; prefer O(lwa_ca_bundle).
    type: bool
    default: true
  lwa_allow_other_hosts:
    description:
      - Allow an O(lwa_endpoint) or C(spapi_endpoint) (or E(SPAPI_LWA_ENDPOINT), E(SPAPI_ENDPOINT)) whose host is not
        one of Amazon's hosts nor a loopback address. The client secret, the refresh token and access tokens are
        sent there.
      - Leave V(false) unless you run a relay of your own that you trust with the credentials.
    type: bool
    default: false
notes:
  - Requests to a loopback address never go through a proxy named by E(https_proxy) or E(http_proxy); requests to
    Amazon's hosts do (verified end to end by TLS).
  - The LWA token endpoint and SP-API are called with a 30 second timeout per request; throttling (HTTP 429) and
    server errors (HTTP 5xx) are retried up to 4 attempts, waiting what the C(Retry-After) header says (at most
    60 seconds), else 1, 2, then 4 seconds.
  - No message, result or log line quotes a request or a reply of LWA or SP-API; an error names the operation, the
    endpoint, the HTTP status and LWA's or SP-API's error code, with what to do about it.
  - The common AWS options are accepted, so that C(module_defaults) of the group C(spapi.onboarding.aws) apply to
    every task of the group; they are used only for AWS calls.
"""

    # The options of the modules that call SP-API itself (rotation, notification destinations).
    SPAPI = r"""
options:
  spapi_endpoint:
    description:
      - Base URL of the SP-API endpoint.
      - If not set, the E(SPAPI_ENDPOINT) environment variable, then the regional endpoint that O(spapi_region) names.
      - Must be C(https://); plain C(http://) is accepted only for a stand-in on a loopback address.
      - Its host must be one of SP-API's, C(sellingpartnerapi-na.amazon.com), C(sellingpartnerapi-eu.amazon.com),
        C(sellingpartnerapi-fe.amazon.com) or their C(sandbox.) variants, or a loopback address; any other host is
        refused before a connection is made, unless O(lwa_allow_other_hosts=true).
    type: str
  spapi_region:
    description:
      - The SP-API region whose endpoint is called when O(spapi_endpoint) and E(SPAPI_ENDPOINT) are not set.
      - V(na) is U(https://sellingpartnerapi-na.amazon.com), V(eu) U(https://sellingpartnerapi-eu.amazon.com),
        V(fe) U(https://sellingpartnerapi-fe.amazon.com).
    type: str
    choices: [na, eu, fe]
    default: na
"""
