"""The Celery app. Tasks live in each app's tasks.py and are discovered from INSTALLED_APPS."""

import logging
import os

from celery import Celery, signals
from kombu.transport import redis as kombu_redis

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dealerlms.settings")

app = Celery("dealerlms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

log = logging.getLogger(__name__)


def _restore_unacked_unless_gone(restore_unacked):
    """kombu 5.7.0 (the newest release) ends the worker when Redis goes away while jobs are
    unacknowledged: on the lost connection Celery closes the channel, the channel's close puts
    the unacknowledged jobs back through a connection that is already gone, and that raises
    AttributeError ('NoneType' object has no attribute 'hostname'), which Celery's ignore_errors
    does not ignore ("Unrecoverable error"). Here a restore that cannot reach Redis gives up with
    one line: what Redis kept of those jobs comes back after the visibility timeout, and what it
    lost the sweeps take up again (inbound.tasks.requeue_waiting_messages,
    distribution.tasks.route_forgotten). tests/inbound/test_worker_survives_broker_restart.py."""

    def restore(self, client=None):
        try:
            return restore_unacked(self, client)
        except (AttributeError, *kombu_redis.Transport.connection_errors) as error:
            gone = getattr(self.channel.connection, "client", None) is None
            if gone or not isinstance(error, AttributeError):
                log.warning(
                    "broker unreachable: %d unacknowledged job(s) not put back (%s)",
                    len(self._delivered),
                    type(error).__name__,
                )
                self._delivered.clear()
                return None
            raise

    restore.__wrapped__ = restore_unacked
    return restore


if not hasattr(kombu_redis.QoS.restore_unacked, "__wrapped__"):
    kombu_redis.QoS.restore_unacked = _restore_unacked_unless_gone(kombu_redis.QoS.restore_unacked)


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
