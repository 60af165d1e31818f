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
)

counter = redis.Redis.from_url(os.environ["CELERY_BENCH_COUNTER"])
COUNTER_KEY = os.environ["CELERY_BENCH_COUNTER_KEY"]


@app.task(name="noop")
def noop():
    counter.incr(COUNTER_KEY)
