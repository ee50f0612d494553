"""Temporal Schedules, the counterpart of cron: the Temporal server starts the workflows.

From backend/: `python -m internal.workers.schedules` creates each schedule, or updates it to match
this file when it exists already, so running it again (each deploy) is safe. The worker executes
the workflows the schedules start; no scheduler process of ours runs.
"""

import logging
from datetime import timedelta

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)

from internal.workers.client import connect
from internal.workers.process import run_and_exit
from internal.workers.workflows import OutboxReportWorkflow
from pkg.config.settings import Settings, get_settings
from pkg.logging import configure_logging

logger = logging.getLogger("internal.workers.schedules")

OUTBOX_REPORT_SCHEDULE_ID = "outbox-report"


def schedules(settings: Settings) -> dict[str, Schedule]:
    """Every schedule this project wants, by schedule id."""
    return {
        OUTBOX_REPORT_SCHEDULE_ID: Schedule(
            action=ScheduleActionStartWorkflow(
                OutboxReportWorkflow.run,
                # Each run's workflow id is this prefix plus the scheduled time.
                id=OUTBOX_REPORT_SCHEDULE_ID,
                task_queue=settings.temporal_task_queue,
                execution_timeout=timedelta(minutes=5),
            ),
            spec=ScheduleSpec(
                intervals=[
                    ScheduleIntervalSpec(
                        every=timedelta(seconds=settings.temporal_outbox_report_interval)
                    )
                ]
            ),
            # A report still running when the next one is due makes the next one skip.
            policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
        ),
    }


async def apply_schedules(client: Client, settings: Settings) -> list[str]:
    """Create or update every schedule; returns their ids."""
    planned = schedules(settings)
    for schedule_id, schedule in planned.items():
        try:
            await client.create_schedule(schedule_id, schedule)
            logger.info("created schedule %s", schedule_id)
        except ScheduleAlreadyRunningError:

            def replace(_: ScheduleUpdateInput, wanted: Schedule = schedule) -> ScheduleUpdate:
                return ScheduleUpdate(schedule=wanted)

            await client.get_schedule_handle(schedule_id).update(replace)
            logger.info("updated schedule %s", schedule_id)
    return list(planned)


async def _main(settings: Settings) -> None:
    await apply_schedules(await connect(settings), settings)


def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    run_and_exit(_main(settings))


if __name__ == "__main__":
    main()
