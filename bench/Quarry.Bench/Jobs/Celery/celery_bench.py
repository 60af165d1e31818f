"""Drives the Celery side of the jobs benchmark and prints one JSON object.

enqueue: `delay()` one task at a time, then drain: start N `celery worker -P solo` processes (no gossip, mingle or
heartbeat) and time until the Redis counter the task increments reaches the number of jobs; then latency: one
worker, tasks sent one at a time, each after the previous one's INCR was seen (polled every 0.2 ms).
Worker processes are started here and stopped by their PIDs only.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import redis


def start_worker(name, env):
    command = [sys.executable, "-m", "celery", "-A", "quarry_celery_noop", "worker", "-P", "solo", "-c", "1",
               "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", name + "@%h", "--loglevel", "WARNING"]
    return subprocess.Popen(command, env=env, cwd=os.path.dirname(os.path.abspath(__file__)),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stop(workers):
    for worker in workers:
        worker.terminate()  # SIGTERM to this PID
    for worker in workers:
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def wait_for(counter, key, target, budget):
    start = time.perf_counter()
    while time.perf_counter() - start < budget:
        done = int(counter.get(key) or 0)
        if done >= target:
            return done
        time.sleep(0.02)
    return int(counter.get(key) or 0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--latency-jobs", type=int, default=2000)
    parser.add_argument("--prefix", default="celery-bench")
    args = parser.parse_args()

    env = dict(os.environ)
    env["CELERY_BENCH_QUEUE"] = args.prefix
    env["CELERY_BENCH_COUNTER_KEY"] = args.prefix + ":done"
    os.environ.update(env)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from quarry_celery_noop import noop  # noqa: E402  (reads the environment set above)

    counter = redis.Redis.from_url(env["CELERY_BENCH_COUNTER"])
    key = env["CELERY_BENCH_COUNTER_KEY"]
    counter.delete(key)
    result = {}

    noop.delay()  # connects and declares the queue; not timed
    started = time.perf_counter()
    for _ in range(args.jobs - 1):
        noop.delay()
    result["enqueue_per_s"] = (args.jobs - 1) / (time.perf_counter() - started)

    started = time.perf_counter()
    workers = [start_worker(f"{args.prefix}-w{i + 1}", env) for i in range(args.workers)]
    first = None
    try:
        while time.perf_counter() - started < 120:
            done = int(counter.get(key) or 0)
            if done > 0 and first is None:
                first = (time.perf_counter(), done)
            if done >= args.jobs:
                break
            if any(w.poll() is not None for w in workers):
                raise SystemExit("a celery worker exited: " + workers[0].stderr.read().decode(errors="replace")[-2000:])
            time.sleep(0.02)
        seconds = time.perf_counter() - started
        done = int(counter.get(key) or 0)
        result["drain_jobs"] = done
        result["drain_seconds"] = seconds
        result["drain_per_s"] = done / seconds
        if first is not None and seconds > first[0] - started:
            result["drain_after_first_per_s"] = (done - first[1]) / (started + seconds - first[0])
    finally:
        stop(workers)

    counter.set(key, 0)
    worker = start_worker(f"{args.prefix}-latency", env)
    try:
        for i in range(50):  # warm-up: the worker's start-up
            noop.delay()
            wait_for(counter, key, i + 1, 60)
        latencies = []
        budget = time.perf_counter()
        done = 50
        while len(latencies) < args.latency_jobs and time.perf_counter() - budget < 40:
            before = time.perf_counter()
            noop.delay()
            done += 1
            while int(counter.get(key) or 0) < done:
                time.sleep(0.0002)
            latencies.append((time.perf_counter() - before) * 1000)
        latencies.sort()
        result["latency_ms"] = latencies
    finally:
        stop([worker])

    print(json.dumps(result))


if __name__ == "__main__":
    main()
