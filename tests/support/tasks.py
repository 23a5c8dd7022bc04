"""Run the shared resource logic in-process, with parameters validated like a module's."""

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.spapi.onboarding.plugins.module_utils._common.task import Task, with_aws_options


def make_task(argument_spec, moto_url, check_mode=False, diff_mode=False, constraints=None, **params):
    """A Task as the module would get it: validated against its spec and its constraints (module.CONSTRAINTS)."""
    params.setdefault("endpoint_url", moto_url)
    params.setdefault("access_key", "testing")
    params.setdefault("secret_key", "testing")
    params.setdefault("region", "us-east-1")
    validated = ArgumentSpecValidator(with_aws_options(argument_spec), **(constraints or {})).validate(params)
    assert not validated.error_messages, validated.error_messages
    return Task(validated.validated_parameters, check_mode=check_mode, diff_mode=diff_mode)
