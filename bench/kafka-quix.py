# The Kafka benchmark's quixstreams peer, on the same broker and input topic as bench/kafka.ts. Prints the rate as
# JSON. Jobs:
#   window    consume JSON -> 10 s tumbling window per key (count/min/max/mean) -> produce (the default)
#   stateful  consume JSON -> a running count and total per key in `apply(..., stateful=True)` -> produce one
#             output per message
#   groupby   consume JSON -> group_by zone (a function of the value, through a repartition topic) -> 10 s tumbling
#             window per zone with 1 h of grace (count/mean) -> produce; the clock stops at the N-th record read back after the group_by
#   join      consume JSON -> join_asof with a table topic (one record per sensor, how "left") -> produce; the
#             clock stops at the N-th joined record
#   python bench/kafka-quix.py BROKERS INPUT OUTPUT N [window|stateful|groupby|join TABLE]
import json
import sys
import tempfile
import time
from datetime import timedelta

from quixstreams import Application
from quixstreams.dataframe.windows import Count, Max, Mean, Min

brokers, input_name, output_name, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
job = sys.argv[5] if len(sys.argv) > 5 else "window"
app = Application(
    broker_address=brokers,
    consumer_group=f"quix-bench-{time.time()}",
    auto_offset_reset="earliest",
    state_dir=tempfile.mkdtemp(prefix="quix-bench-"),
)
input_topic = app.topic(input_name, value_deserializer="json")
output_topic = app.topic(output_name, value_serializer="json")
state = {"seen": 0, "first": None, "last": None}


def tick(value):
    if state["first"] is None:
        state["first"] = time.perf_counter()
    state["seen"] += 1
    if state["seen"] == n:
        state["last"] = time.perf_counter()
        app.stop()


sdf = app.dataframe(input_topic)
if job == "join":
    right = app.dataframe(app.topic(sys.argv[6], value_deserializer="json"))
    sdf = sdf.join_asof(right, how="left", on_merge="keep-left")
    sdf = sdf.update(tick)
elif job == "groupby":
    sdf = sdf.group_by(lambda v: f"zone-{int(v['sensor'][7:]) % 10}", name="zone")
    sdf = sdf.update(tick)
    # An hour of grace: the two input partitions are read interleaved, so a zone's readings come out of order.
    sdf = sdf.tumbling_window(timedelta(seconds=10), grace_ms=timedelta(hours=1)).agg(count=Count(), mean=Mean("value")).final()
    sdf = sdf.apply(lambda w: {"time": w["end"], "count": w["count"], "mean": w["mean"]})
elif job == "stateful":

    def running(value, st):
        n = st.get("n", 0) + 1
        total = st.get("total", 0) + value["value"]
        st.set("n", n)
        st.set("total", total)
        return {"sensor": value["sensor"], "n": n, "mean": total / n}

    sdf = sdf.update(tick)
    sdf = sdf.apply(running, stateful=True)
else:
    sdf = sdf.update(tick)
    sdf = sdf.tumbling_window(timedelta(seconds=10)).agg(count=Count(), min=Min("value"), max=Max("value"), mean=Mean("value")).final()
    sdf = sdf.apply(lambda w: {"time": w["end"], "temperature": {"count": w["count"], "min": w["min"], "max": w["max"], "mean": w["mean"]}})
sdf = sdf.to_topic(output_topic)
app.run()
if state["first"] is None:
    sys.exit("quixstreams received no message")
elapsed = (state["last"] or time.perf_counter()) - state["first"]
print(json.dumps({"messages": state["seen"], "seconds": elapsed, "rate": state["seen"] / elapsed}))
