"""Blind estate "ginkgo": Ginkgo Consulting sp. z o.o., an IT and management consultancy in Warsaw.

Firm and period
    ~180 consultants, Odoo 18 (database ``ginkgo_prod``). 26 days, Mon 19.10.2026 - Fri 13.11.2026, time zone
    Europe/Warsaw (CEST -> CET on Sun 25.10.2026, 03:00 -> 02:00). Office hours 08:00-17:00 local, Mon-Fri.
    Polish public holidays in the period: Wszystkich Świętych (Sun 01.11.2026) and Narodowe Święto
    Niepodległości (Wed 11.11.2026). Month-end peak on 29-30.10 and 02-03.11 (invoicing, KSeF).

Flows (flows.json)
    timesheet_ingest        Tempo (Jira Cloud) worklog webhooks -> a .NET receiver on IIS -> Odoo timesheets.
    ksef_invoice_export     Odoo -> KSeF (Krajowy System e-Faktur) through OCA queue_job, channel root.ksef.
    crm_sync                Livespace CRM -> Odoo res.partner, a Python worker on Kubernetes, logs shipped to Graylog.
    bank_statement_import   mBank MT940 statements imported by an Odoo cron 3x a business day (bursty, unit batch).

Files
    logs/u_exYYMMDD.log   IIS 10 W3C extended log files, one per UTC day (IIS rolls over and stamps in UTC),
        CRLF, directives ``#Software/#Version/#Date/#Fields``, fields
        ``date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer)
        sc-status sc-substatus sc-win32-status time-taken`` (time-taken in ms; Microsoft's W3C logging docs).
        Load-balancer probes ``GET /healthz`` every minute; ANCM 502.3 / win32 12002 for backend timeouts.
    logs/queue_job_ksef_export_13-11-2026.csv   Odoo export dialog (CSV, not import-compatible) of queue.job list,
        English field labels because OCA/queue has no pl.po (checked queue_job/i18n: no Polish file): UUID,
        Description, Task, Channel, State, Created Date, Start Date, Date Done, Current try, Max. retries,
        Execution Time (avg), Exception, Exception Message, Exception Info; datetimes UTC ``%Y-%m-%d %H:%M:%S``
        as Odoo exports them, selection labels (Done/Failed) as values, tracebacks in Exception Info, newest first.
    logs/graylog_crm-sync_export.jsonl   GELF 1.1 messages as Graylog stores them (version, host, short_message,
        full_message, timestamp as epoch seconds, syslog level, additional fields with ``_`` prefix: _logger,
        _partner_id, _partner_ids, _vat, _livespace_id, _duration_ms, _error_type ...), one JSON per line.
    logs/odoo-server.log   Odoo 18 server log, format ``%(asctime)s %(pid)s %(levelname)s %(dbname)s %(name)s:
        %(message)s`` (odoo/netsvc.py), UTC timestamps (Odoo sets TZ=UTC): ir_cron job start/done lines, MT940
        import lines, SERIALIZATION_FAILURE retries (odoo/service/model.py), the maintenance announcement in Polish
        with local times, shutdown/startup lines.
    records/res_partner.csv (1,441 rows), records/project_project.csv (120 rows): Odoo field names, many2one as
        display name, booleans True/False, write_date UTC.

Incidents (labels/incidents.jsonl)
    ginkgo-1 error_spike / data_quality / merge_partners, crm_sync 22.10: ValidationError duplicate NIP on three
        partner pairs, partner ids in _partner_ids (structured).
    ginkgo-2 expired_credential / credential_auth / escalate, ksef 27.10 morning: 401 Unauthorized, jobs Failed.
    ginkgo-3 retry_storm / rate_limit / requeue_jobs, ksef 30.10 (month-end): 429, FailedJobError Max. retries (5).
    ginkgo-4 latency_shift / upstream_outage / escalate, timesheet 03.11: time-taken ~130 ms -> ~2.3 s.
    ginkgo-5 silent_flow / unknown / escalate, crm_sync 04.11: no lines at all for 4.5 h on a working day.
    ginkgo-6 duplicate_delivery / upstream_outage / post_note, timesheet 05.11: same deliveryId 2-4 times.
    ginkgo-7 error_spike / upstream_outage / escalate, timesheet 10.11: 502.3 from ANCM.
    ginkgo-8 new_error_signature / configuration / escalate, crm_sync from 12.11 deploy 2.5.0: Invalid field.

Distractors (labels/not_incidents.jsonl): both holidays, the announced maintenance 07.11 22:00-08.11 02:00 local,
    a month-end MT940 burst, a new INFO start-up line after deploy 2.4.0, a single HTTP 500, retried serialization
    failures, the month-end invoicing peak, the DST change, a long weekend.

Records: ~330 companies with 2-4 contacts each; 48 company duplicates (long legal form, upper case re-import,
    typo, no diacritics / NIP without PL, missing NIP, NIP with dashes), 70 contact duplicates; hard negatives:
    sister companies (same stem, other legal form and NIP) and same person name at different firms. Projects:
    100 with codes [WAW-yyyy-nnn], 10 duplicates (re-import, "(kopia)", dash variant), phase-2 look-alikes with
    their own code (-F2).
"""
