"""The one viewflow flow that runs every route.

A route is data (workflows.models); the flow only knows that a nomination goes through
stages one at a time until it is finished. Each visit to a stage is one `stage` task, a
Handle completed by the services in approvals.services.nominations after they have checked
who may act, so adding a stage or a route needs no code. The switch loops back to the next
stage or ends the process.
"""

from viewflow import this
from viewflow.workflow import flow, lock


class NominationFlow(flow.Flow):
    process_title = "Nomination"
    lock_impl = lock.select_for_update_lock

    start = flow.StartHandle(this.begin).Next(this.route)
    stage = flow.Handle(this.complete_stage).Next(this.route)
    route = (
        flow.Switch()
        .Case(this.end, lambda activation: activation.process.data.get("finished", False))
        .Default(this.stage)
    )
    end = flow.End()

    def begin(self, activation):
        return activation.process

    def complete_stage(self, activation, *, finished: bool, outcome: str):
        activation.task.data = {"outcome": outcome}
        if finished:
            activation.process.data = {**activation.process.data, "finished": True}
            activation.process.save(update_fields=["data"])
        return activation.task
