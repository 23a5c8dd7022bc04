"""The SP-API IAM chain as six module tasks: the one definition the reliability tests and the benchmark run.

It is what the spapi.onboarding.iam role does, step by step, without the role: user, policy (located by
the user's account, no sts:GetCallerIdentity), role trusting the user with the policy attached, STS
policy on the user, access key into the vault file, verify. Callers give the names as Jinja
expressions, so the same tasks run for one identity or in a loop over many.
"""

MODULE = "spapi.onboarding."
STEPS = ("user", "policy", "role", "sts_policy", "access_key", "verify")


def chain_tasks(names, result=lambda register: register, key_options=None, verify_live=False, steps=STEPS):
    """The tasks of the chain's steps, in order.

    names: Jinja expressions of user, policy, role, sts_policy and vault_file ("{{ item.user }}").
    result(register): the expression of an earlier task's result, "chain_user" in a plain play or
      "chain_user.results[index]" in a loop with index_var "index".
    key_options: more access_key options (vault_id, rotate, on_unknown_keys).
    verify_live: verify makes only the live sts:AssumeRole, after the tasks that just ensured each link.
    """
    user_arn = "{{ %s.user.arn }}" % result("chain_user")
    role_arn = "{{ %s.role.arn }}" % result("chain_role")
    verify = {"user_name": names["user"], "role_name": names["role"], "policy_name": names["policy"],
              "sts_policy_name": names["sts_policy"], "vault_file": names["vault_file"], "assume_role": True}
    if verify_live:
        verify.update(scope="live", role_arn=role_arn)
    tasks = {
        "user": {"name": "IAM user", MODULE + "iam_user": {"name": names["user"]}, "register": "chain_user"},
        "policy": {"name": "SP-API managed policy", MODULE + "iam_policy": {
            "name": names["policy"], "account_id": user_arn}, "register": "chain_policy"},
        "role": {"name": "Role trusting the user, with the policy attached", MODULE + "iam_role": {
            "name": names["role"], "trusted_user_arn": user_arn,
            "managed_policy_arns": ["{{ %s.policy.arn }}" % result("chain_policy")]}, "register": "chain_role"},
        "sts_policy": {"name": "STS policy inline on the user", MODULE + "sts_policy": {
            "user_name": names["user"], "role_arn": role_arn, "policy_name": names["sts_policy"]}},
        "access_key": {"name": "Access key into the vault file", MODULE + "access_key": dict(
            {"user_name": names["user"], "vault_file": names["vault_file"]}, **(key_options or {}))},
        "verify": {"name": "Verify the chain and assume the role", MODULE + "verify": verify,
                   "register": "chain_verify"},
    }
    return [tasks[step] for step in steps]
