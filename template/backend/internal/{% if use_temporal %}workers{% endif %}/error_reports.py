"""Activity failures reported to Sentry (with SENTRY_DSN set), tagged with the job id (the
workflow id): once per failure that ends the activity, not once per retried attempt."""

from typing import Any

import sentry_sdk
from temporalio import activity
from temporalio.exceptions import ApplicationError
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
)


class ErrorReports(Interceptor):
    """The worker's interceptor: `Worker(..., interceptors=[ErrorReports()])`."""

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _ReportFailures(next)


class _ReportFailures(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        try:
            return await super().execute_activity(input)
        except Exception as error:
            info = activity.info()
            if _final(error, info):
                with sentry_sdk.new_scope() as scope:
                    scope.set_tag("job.id", info.workflow_id)
                    scope.set_tag("temporal.workflow_type", info.workflow_type)
                    scope.set_tag("temporal.activity_type", info.activity_type)
                    scope.set_tag("temporal.attempt", info.attempt)
                    sentry_sdk.capture_exception(error)
            raise


def _final(error: Exception, info: activity.Info) -> bool:
    """No attempt follows this one; an activity retried without limit is reported once."""
    if isinstance(error, ApplicationError) and error.non_retryable:
        return True
    limit = info.retry_policy.maximum_attempts if info.retry_policy else 0
    return info.attempt >= limit if limit else info.attempt == 1
