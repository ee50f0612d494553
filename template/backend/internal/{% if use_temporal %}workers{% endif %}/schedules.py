"""Temporal Schedules, the counterpart of cron: the Temporal server starts the workflows.

The worker applies them when it starts, and so does `python -m internal.workers.schedules` (from
backend/): each schedule is created, or updated to match this file when it exists already, so
applying them again (each deploy, each worker start) is safe, and a schedule an operator paused
stays paused. The worker executes the workflows the schedules start; no scheduler process of ours
runs.
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
from pkg.config.jobs import JobSettings, job_settings
from pkg.logger import setup_logging

logger = logging.getLogger("internal.workers.schedules")

OUTBOX_REPORT_SCHEDULE_ID = "outbox-report"


def schedules(settings: JobSettings) -> dict[str, Schedule]:
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


async def apply_schedules(client: Client, settings: JobSettings) -> list[str]:
    """Create or update every schedule; returns their ids."""
    planned = schedules(settings)
    for schedule_id, schedule in planned.items():
        try:
            await client.create_schedule(schedule_id, schedule)
            logger.info("created schedule %s", schedule_id)
        except ScheduleAlreadyRunningError:

            def replace(old: ScheduleUpdateInput, wanted: Schedule = schedule) -> ScheduleUpdate:
                # What an operator did stays: a paused schedule stays paused, with its note.
                wanted.state = old.description.schedule.state
                return ScheduleUpdate(schedule=wanted)

            await client.get_schedule_handle(schedule_id).update(replace)
            logger.info("updated schedule %s", schedule_id)
    return list(planned)


async def _main(settings: JobSettings) -> None:
    await apply_schedules(await connect(settings), settings)


def main() -> None:
    setup_logging()
    run_and_exit(_main(job_settings))


if __name__ == "__main__":
    main()
