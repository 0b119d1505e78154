"""A worker killed half-way through an import or its search indexing: the sweeper queues the work again."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from amity.core.models import User, Workspace
from amity.customers.models import Contact
from amity.imports import services
from amity.imports.models import Import
from amity.search.models import SearchDocument

pytestmark = pytest.mark.django_db

CONTENT = "Name,Email\n" + "".join(f"Person {n},p{n}@example.com\n" for n in range(25))


def _killed_after_the_first_batch(actor: User, workspace: Workspace, monkeypatch: Any) -> Import:
    """An import whose worker died after its first batch of ten landed: still `running`, with nobody running it."""
    import_run = services.import_create(
        actor=actor, workspace=workspace, kind="contacts", file=ContentFile(CONTENT.encode()), file_name="p.csv", start=False
    )
    Import.objects.filter(pk=import_run.pk).update(status=Import.Status.QUEUED, batch_size=10)
    real_commit = services._commit_batch

    def killed(import_run: Import, number: int, *args: Any) -> None:
        if number >= 1:
            raise SystemExit("killed")  # not an Exception: nothing notes it or retries, as with SIGKILL
        real_commit(import_run, number, *args)

    monkeypatch.setattr(services, "_commit_batch", killed)
    with pytest.raises(SystemExit):
        services.import_execute(import_id=import_run.pk)
    monkeypatch.setattr(services, "_commit_batch", real_commit)
    return Import.objects.get(pk=import_run.pk)


def _minutes_ago(import_run: Import, minutes: int) -> None:
    Import.objects.filter(pk=import_run.pk).update(progress_at=timezone.now() - dt.timedelta(minutes=minutes))


def test_an_import_left_running_by_a_killed_worker_is_finished_once_it_has_stalled(
    owner: User, workspace: Workspace, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    stalled = _killed_after_the_first_batch(owner, workspace, monkeypatch)
    assert (stalled.status, stalled.processed, Contact.objects.count()) == ("running", 10, 10)

    _minutes_ago(stalled, 5)
    assert services.requeue_stalled() == []  # still within the ten minutes a batch may take

    _minutes_ago(stalled, 11)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.requeue_stalled() == [stalled.pk]

    finished = Import.objects.get(pk=stalled.pk)
    assert (finished.status, finished.created, Contact.objects.count()) == ("done", 25, 25)
    assert finished.search_status == "done"
    assert SearchDocument.objects.filter(object_type="contact").count() == 25
    assert services.requeue_stalled() == []


def test_search_indexing_left_half_way_is_queued_again(owner: User, workspace: Workspace, settings: Any) -> None:
    settings.IMPORT_STALL_SECONDS = 60
    import_run = services.import_create(
        actor=owner, workspace=workspace, kind="contacts", file=ContentFile(CONTENT.encode()), file_name="p.csv", start=False
    )
    Import.objects.filter(pk=import_run.pk).update(status=Import.Status.QUEUED, batch_size=10)
    done = services.import_execute(import_id=import_run.pk)  # its indexing is queued on commit, which never comes here
    assert (done.status, done.search_status) == ("done", "pending")
    Import.objects.filter(pk=done.pk).update(progress_at=timezone.now() - dt.timedelta(seconds=30))
    assert services.requeue_stalled() == []

    Import.objects.filter(pk=done.pk).update(progress_at=timezone.now() - dt.timedelta(seconds=90))
    first = services.requeue_stalled()
    again = services.requeue_stalled()  # claimed by the first sweep: a second worker's sweep passes it over

    assert (first, again) == ([done.pk], [])


def test_finished_undone_and_failing_imports_are_left_alone(owner: User, workspace: Workspace) -> None:
    long_ago = timezone.now() - dt.timedelta(hours=2)
    for status, search_status in [("done", "done"), ("undone", "pending"), ("failed", "failed"), ("queued", "")]:
        Import.objects.create(
            workspace=workspace, created_by=owner, kind="contacts", file_name="p.csv", status=status, search_status=search_status,
            progress_at=long_ago,
        )  # fmt: skip

    assert services.requeue_stalled() == []
