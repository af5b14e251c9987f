"""dogwood: Cornus Enginyeria i Arquitectura S.L.P., a Barcelona architecture and engineering consultancy on Odoo 17.

Designed blind (no detector, matcher or other estate was read). 40 days, Monday 07/09/2026 to Friday 16/10/2026,
Europe/Madrid (CEST all along), Spanish office day (lunch dip 14:00-15:30, Friday "jornada intensiva" until 15:00),
Catalan and national holidays (Diada 11/09, La Mercè 24/09, Fiesta Nacional 12/10) and the firm's bridge day 25/09.

Flows (flows.json) and the file each one is seen in:

- ``sii_facturas``: Odoo -> AEAT SII through OCA ``l10n_es_aeat_sii_oca`` queue jobs
  (``account.move.confirm_one_invoice`` on channel ``root.invoice_validate_sii``, as in the module's
  ``data/aeat_sii_queue_job.xml``), with a custom wrapper ``cornus_sii_retry`` that turns AEAT 503s into
  RetryableJobError (60/120/300/600 s, max. 5 tries). Seen in the queue.job export and the Odoo log.
- ``face_facturae``: Odoo -> FACe e-invoices for public bodies (``edi.exchange.record.action_exchange_send`` on
  ``root.edi_exchange``; OCA ``l10n_es_facturae_face`` on ``edi_oca``). Queue.job export and Odoo log.
- ``acc_proyectos``: Autodesk Construction Cloud -> Odoo projects and clients, an Azure Logic App
  (``la-cnr-acc-proyectos``: HTTP webhook trigger ``manual`` plus a 2-hourly ``Recurrence`` reconciliation).
- ``transmittals_sharepoint``: Odoo -> SharePoint Online client extranet, one Logic App run per drawing of a
  transmittal (``la-cnr-transmittals-sharepoint``): bursty, declared ``unit: batch``.
- ``partes_horas_dwh``: Odoo timesheets (Debezium CDC topic ``odoo.public.account_analytic_line``) -> Azure SQL
  warehouse for Power BI through the Confluent JDBC sink ``dwh-partes-horas-sink`` on a Kafka Connect worker.

Files (shapes, none shared with the other estates):

- ``logs/logicapps-workflowruntime.jsonl``: Azure Monitor resource logs of category WorkflowRuntime as Logic Apps
  (Consumption) write them to a storage account, one JSON record per line: ``time``, ``resourceId`` (upper-case ARM
  path), ``operationName`` ``Microsoft.Logic/workflows/workflowRunCompleted`` / ``workflowActionCompleted``,
  ``level``, and nested ``properties.status`` (Succeeded/Failed), ``properties.startTime``/``endTime`` (7-digit
  fractions, Z), ``properties.code``, ``properties.error.code``/``message`` (runs: ActionFailed),
  ``properties.resource.workflowName``/``runId``/``actionName``/``triggerName``,
  ``properties.correlation.clientTrackingId`` (the ACC event id for webhooks, so a redelivery repeats it) and
  ``properties.trackedProperties`` (Odoo ids). The firm's export keeps action events that failed or carry tracked
  properties. Field names from Microsoft's LogicAppWorkflowRuntime / AzureDiagnostics references
  (status_s, resource_workflowName_s, resource_runId_s, correlation_clientTrackingId_s, error_code_s ...).
- ``logs/connect-worker.log``: a Kafka Connect worker's log4j file, pattern ``[%d] %p %X{connector.context}%m (%c:%L)%n``,
  UTC, with the sink at DEBUG: ``Received N records. First record kafka coordinates:(topic-partition-offset)``,
  ``Write of N records failed, remainingRetries=K``, TableAlterOrCreateException, WorkerSinkTask's
  "Task threw an uncaught and unrecoverable exception" with a Java stack trace (messages from
  confluentinc/kafka-connect-jdbc JdbcSinkTask and apache/kafka WorkerSinkTask).
- ``logs/queue_job_export_16-10-2026.csv``: the queue.job list exported from Odoo with Spanish labels (OCA/queue
  ``queue_job/i18n/es.po``: UUID, Descripción, Tarea, Modelo, Nombre del método, Registro, Canal, Estado
  (Hecho/Falló), Prioridad, Fecha de creación, Hora en que se puso en cola, Fecha de inicio, Fecha de realización,
  Intento actual, Reintentos máx., Información de la excepción; the untranslated msgids stay English:
  Execution Time (avg), Exception, Exception Message), opened in Excel es-ES and saved as "CSV UTF-8": BOM, ``;``,
  CRLF, decimal commas, multi-line traceback cells, datetimes in the exporting user's time zone (Europe/Madrid, as
  Odoo's export converts them), newest first. The channel keeps done jobs 60 days, so the whole period is there.
- ``logs/odoo-server.log``: Odoo 17 server log in UTC (``%(asctime)s %(pid)s %(levelname)s %(dbname)s %(name)s:``,
  ``?`` for the job runner), werkzeug lines with their own ``[dd/Mon/yyyy HH:MM:SS]``, queue_job runner and
  controller tracebacks, ``odoo.sql_db`` bad query + ``odoo.service.model`` ``SERIALIZATION_FAILURE, 4 tries left``
  (text from odoo/service/model.py), cron lines, two restarts, and a maintenance notice in Spanish, local time,
  day-first date.
- ``records/res_partner.csv`` and ``records/project_project.csv``: Odoo export dialog, Spanish labels
  (ID, Nombre, Es una empresa, Empresa relacionada, NIF, ...; Última actualización el in Europe/Madrid).

Labels: 8 incidents (labels/incidents.jsonl; windows and records computed from the generated events) and 12
distractors (labels/not_incidents.jsonl); 3,711 partners with 211 duplicate clusters; 228 projects with 28.
"""
