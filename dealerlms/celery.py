"""The Celery app. Tasks live in each app's tasks.py and are discovered from INSTALLED_APPS."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dealerlms.settings")

app = Celery("dealerlms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# Kept only in prefork children (the production pool): a thread pool (the e2e tests' worker)
# keeps per-thread connections nobody would close when its threads end.
_keep_connections = False


@signals.worker_process_init.connect
def _in_a_prefork_child(**kwargs) -> None:
    global _keep_connections
    _keep_connections = True


@signals.task_prerun.connect
@signals.task_postrun.connect
def close_old_connections(sender=None, **kwargs) -> None:
    """Around each task, what Django does around each request: a connection that had an error
    and no longer answers, or is older than CONN_MAX_AGE, is closed (the next query opens a new
    one); the others are kept (settings.CELERY_DB_REUSE_MAX). Outside prefork children every
    connection is closed, as Celery does. Eager tasks run in their caller's transaction: left
    alone."""
    if sender is None or getattr(sender.request, "is_eager", False):
        return
    from django.db import close_old_connections, connections

    if _keep_connections:
        close_old_connections()
    else:
        for conn in connections.all(initialized_only=True):
            conn.close()
