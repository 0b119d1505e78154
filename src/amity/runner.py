"""Processes: the web server, the background worker with its heartbeat, and the demo that runs both."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

from django.conf import settings


def serve_command(*, host: str, port: int, workers: int) -> list[str]:
    """gunicorn with threaded workers: a slow client never holds a whole process."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "amity.wsgi:application",
        f"--bind={host}:{port}",
        f"--workers={workers}",
        "--worker-class=gthread",
        "--threads=4",
        "--timeout=60",
        "--graceful-timeout=20",
        "--access-logfile=-",
        "--forwarded-allow-ips=127.0.0.1,::1",
        # One shared control socket per user would let two servers on a machine collide; we do not use it.
        "--no-control-socket",
    ]


def _heartbeat(worker_id: str, backend: str, stop: threading.Event) -> None:
    from django.db import close_old_connections, connection
    from django.utils import timezone

    from amity.core.models import WorkerHeartbeat

    started = timezone.now()
    while not stop.is_set():
        try:
            close_old_connections()
            WorkerHeartbeat.objects.update_or_create(
                worker_id=worker_id, defaults={"backend": backend, "seen_at": timezone.now(), "started_at": started}
            )
        except Exception as error:  # a missed beat is reported by /healthz's age; the worker goes on
            print(f"amity worker: heartbeat failed: {error}", file=sys.stderr)
        stop.wait(settings.WORKER_HEARTBEAT_SECONDS)
    connection.close()


# Jobs every worker enqueues, each at its own interval (seconds; None: every SCHEDULER_SECONDS). Each
# must be safe to run twice at once (several workers, a restart): they claim their rows before acting.
PERIODIC_TASKS: list[tuple[str, str | None]] = [
    ("amity.activities.tasks.send_due_reminders", None),
    ("amity.core.tasks.send_due_digests", None),
    ("amity.core.tasks.evaluate_alert_rules", "ALERTS_SECONDS"),
    ("amity.sales.tasks.expire_quotes", None),
    ("amity.orders.tasks.mark_overdue_invoices", None),
    ("amity.core.tasks.refresh_planner_statistics", "PLANNER_STATISTICS_SECONDS"),
    ("amity.service.tasks.fetch_mailboxes", "MAIL_FETCH_SECONDS"),
    ("amity.service.tasks.escalate_sla_breaches", None),
    ("amity.service.tasks.send_due_surveys", None),
    ("amity.customers.privacy.tasks.apply_retention_rules", None),
    ("amity.imports.tasks.requeue_stalled_imports", None),
]


def _due_periodic_tasks(last_run: dict[str, float], now: float) -> list[str]:
    """The periodic jobs whose interval has passed since this worker last enqueued them (all of them at start)."""
    due = []
    for path, interval_setting in PERIODIC_TASKS:
        interval = float(getattr(settings, interval_setting)) if interval_setting else settings.SCHEDULER_SECONDS
        if path not in last_run or now - last_run[path] >= interval - 0.5:
            due.append(path)
    return due


def _scheduler(stop: threading.Event) -> None:
    from django.db import close_old_connections, connection
    from django.utils.module_loading import import_string

    last_run: dict[str, float] = {}
    while True:
        for path in _due_periodic_tasks(last_run, time.monotonic()):
            try:
                close_old_connections()
                import_string(path).enqueue()
                last_run[path] = time.monotonic()
            except Exception as error:  # the next tick tries again; a reminder is late, never lost
                print(f"amity worker: could not enqueue {path}: {error}", file=sys.stderr)
        if stop.wait(settings.SCHEDULER_SECONDS):
            break
    connection.close()


def run_worker(*, queues: str) -> int:
    """Run the worker of the configured backend, beating a heartbeat that /healthz reads."""
    from django.core.management import call_command

    backend = "rq" if settings.REDIS_URL else "database"
    worker_id = f"{socket.gethostname()}:{os.getpid()}"[:64]
    stop = threading.Event()
    threading.Thread(target=_heartbeat, args=(worker_id, backend, stop), daemon=True, name="heartbeat").start()
    threading.Thread(target=_scheduler, args=(stop,), daemon=True, name="scheduler").start()
    print(f"amity worker {worker_id}: {backend} backend, queues {queues}", flush=True)
    try:
        if backend == "rq":
            call_command("rqworker", *queues.split(","), with_scheduler=True, job_class="django_tasks_rq.backend.Job")
        else:
            call_command("db_worker", queue_name=queues, worker_id=worker_id, reload=False, startup_delay=False)
    finally:
        stop.set()
    return 0


def run_demo(*, host: str, port: int, serve: bool) -> int:
    """Prepare the database and the demo workspace, then run the web server and a worker until Ctrl-C."""
    from django.core.management import call_command

    from amity.core.demo import DEMO_PASSWORD, load_demo

    started = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    summary = load_demo()
    address = f"http://{host}:{port}"
    print(
        f"\nAmity demo ({summary.workspace.name}) — {'loaded' if summary.created else 'already loaded'} in {time.monotonic() - started:.1f}s"
    )
    print(f"  Open {address} and sign in as one of (password: {DEMO_PASSWORD}):")
    for role, email in summary.logins:
        print(f"    {role:<10} {email}")
    print(f"  Outgoing email is written to {settings.EMAIL_FILE_PATH if hasattr(settings, 'EMAIL_FILE_PATH') else 'the SMTP server'}")
    if not serve:
        return 0
    print("  Press Ctrl-C to stop the web server and the worker.\n", flush=True)
    env = {**os.environ, "AMITY_BASE_URL": os.environ.get("AMITY_BASE_URL", address)}
    amity = [sys.executable, "-m", "amity.cli"]
    processes = [
        subprocess.Popen(serve_command(host=host, port=port, workers=2), env=env),
        subprocess.Popen([*amity, "worker"], env=env),
    ]
    return _supervise(processes)


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _supervise(processes: list[subprocess.Popen[bytes]]) -> int:
    """Wait until one process ends or Ctrl-C (or SIGTERM), then stop all of them gracefully."""
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nStopping…", flush=True)
        # Ctrl-C in a terminal reaches the children too; give them time to finish their work first.
        _wait_all(processes, seconds=15)
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    if not _wait_all(processes, seconds=25):
        for process in processes:
            process.kill()
    return 0


def _wait_all(processes: list[subprocess.Popen[bytes]], *, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if all(process.poll() is not None for process in processes):
            return True
        try:
            time.sleep(0.2)
        except KeyboardInterrupt:
            return False  # a second Ctrl-C: stop waiting
    return False
