"""The Celery side of the jobs benchmark: one no-op task that counts its completions with one Redis INCR."""
import os

import redis
from celery import Celery

app = Celery("quarry_celery_noop", broker=os.environ["CELERY_BENCH_BROKER"])
app.conf.update(
    task_serializer="json",
    accept_content=["json"],
    result_serializer="json",
    task_ignore_result=True,
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
    task_default_queue=os.environ.get("CELERY_BENCH_QUEUE", "celery"),
    worker_prefetch_multiplier=int(os.environ.get("CELERY_BENCH_PREFETCH", "4")),
)

if app.conf.broker_url.startswith("amqp"):
    # Debian's kombu 5.2 + py-amqp 5.1 event loop leaves prefetched deliveries unread until its 10 s poll timeout,
    # so a backlog drains in bursts; Celery's blocking loop (the one it uses for transports without an event loop)
    # reads them at once. This only makes Celery faster.
    from celery.worker.worker import WorkController

    WorkController.should_use_eventloop = lambda self: False

counter = redis.Redis.from_url(os.environ["CELERY_BENCH_COUNTER"])
COUNTER_KEY = os.environ["CELERY_BENCH_COUNTER_KEY"]


@app.task(name="noop")
def noop():
    counter.incr(COUNTER_KEY)
