"""A bare Start → View → End flow, for `make bench` only (bench.bare_flow, bench.throughput).

The throughput target compares the product's transitions with what viewflow alone reaches
on the same database in the same run, so the bench needs the smallest flow viewflow can
run: a human start, one human task, an end. viewflow stores a flow as `app_label/module.
Class` and finds it again by importing that path, so the class must live inside an
installed app: this module, in `workflows`. It is imported by the bench alone; no viewset
registers it, so it has no URLs and appears in no menu, inbox or list of the product. Its
processes exist only while the bench runs (bench.bare_flow removes them).

The select-for-update lock, as on every flow of the product (viewflow's default lock lets
two concurrent completions of one task both succeed).
"""

from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.flow.views import CreateProcessView, UpdateProcessView


class BareFlow(flow.Flow):
    process_title = "Benchmark: bare flow"
    lock_impl = lock.select_for_update_lock

    start = flow.Start(CreateProcessView.as_view(fields=[])).Next(this.approve)
    approve = flow.View(UpdateProcessView.as_view(fields=[])).Next(this.end)
    end = flow.End()
