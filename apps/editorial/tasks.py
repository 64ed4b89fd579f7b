"""Celery glue for exports: studio/celery.py routes apps.*.tasks.export_* to the export queue,
so documents never wait behind renders."""

from celery import shared_task

from . import services


@shared_task(name="apps.editorial.tasks.export_document", acks_late=True, reject_on_worker_lost=True)
def export_document(export_id):
    export = services.execute_export(export_id)
    return export.pk if export else None
