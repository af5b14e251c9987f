"""fir: a blind labeled estate. Calder Bruce Partners Pty Ltd, Melbourne (designed blind).

The firm
--------
Calder Bruce Partners is an engineering and management consultancy with about 420 staff: head
office on Collins Street, Melbourne, and offices in Geelong and Bendigo. Its clients are mostly
Victorian public bodies (transport, water, health, councils) and it engages a few hundred
subcontractors (drillers, surveyors, traffic engineers, labs). It runs Odoo 17.0 Enterprise,
self-hosted on a Compute Engine VM in Google Cloud `australia-southeast2` (Melbourne), with
OCA queue_job, OCA partner_vat_unique (the ABN is the partner's `vat`; installed 01/07/2026, so older
duplicates that share an ABN predate it) and three in-house modules (calder_base, calder_xero,
calder_sharepoint). Xero holds accounting and payroll.

Its Odoo partner is Bottega Digitale Pty Ltd (Carlton), a Melbourne shop founded by Italian
expats whose support desk works with the Odoo UI in Italian: the queue.job export below was
made by their engineer, user language it_IT, user time zone Australia/Melbourne.

Period, time zone, calendar
---------------------------
40 days: Monday 21/09/2026 00:00 AEST to Saturday 31/10/2026 00:00 AEDT
(2026-09-20T14:00Z .. 2026-10-30T13:00Z). Australia/Melbourne: AEST (UTC+10) until Sunday
04/10/2026 02:00, then AEDT (UTC+11). Victorian public holidays in the period: Friday
25/09/2026 (Friday before the AFL Grand Final, Grand Final on Saturday 26/09). No other Victorian
holiday falls in it; Melbourne Cup Day is Tuesday 03/11/2026, after the period, and is left out.
Month-ends: Wednesday 30/09 and Friday 30/10 (last business days). Fortnightly pay runs on
Wednesdays 30/09, 14/10, 28/10. Timesheets are due Friday 17:00. Weekends are near zero.
calendar.json holds what the firm's admin would write: country AU and the one Victorian holiday.

Flows (flows.json)
------------------
- timesheet_capture: CalderTime (in-house iOS/Android/web app) -> Cloud Run service
  `timesheet-api` -> Odoo account.analytic.line over JSON-RPC. ~1,000-1,900 entries per weekday,
  peaks Monday morning, Friday afternoon and month-end; min-instances 0 (cold starts).
- subbie_onboarding: DocuSign Connect (envelope-completed of the subcontract agreement) ->
  Cloud Run `subbie-onboard` -> Odoo res.partner (search vat = the ABN as typed in the
  envelope, digits only, else the name; then write the ABN and contacts). Bursty and
  low volume: ~2 a day, bursts of 14-48 in an hour when a program kicks off.
- xero_payroll: `xero-payroll-sync`, a Python worker on the VM int-worker-01 run by
  `xero-payroll-sync.timer` (Mon-Fri 06:00-20:00 every 15 minutes, local time) that posts approved
  Odoo timesheets to Xero Payroll AU (`/payroll.xro/1.0/Timesheets`), logging to journald through
  python-systemd's JournalHandler (extra upper-case fields).
- xero_invoice_push: queue_job channel root.xero, `account.move._xero_push_invoice` (calder_xero),
  ~120-250 a weekday, batch runs at month-end; RetryableJobError(seconds=60) on Xero 429.
- sharepoint_folders: queue_job channel root.graph, `project.project._provision_sharepoint_folder`
  (Microsoft Graph driveItem create), a few a day.

Files and their real-world shapes
---------------------------------
- logs/cloudrun_requests.jsonl, logs/cloudrun_stdout.jsonl: Google Cloud Logging LogEntry
  objects as a Cloud Storage log sink writes them (one JSON object per line), the hourly shard
  files of `run.googleapis.com/requests` and `run.googleapis.com/stdout` concatenated per log for
  the period. Fields as the LogEntry JSON mapping has them: insertId, timestamp and
  receiveTimestamp (RFC 3339, Z, up to 9 fraction digits), severity (request logs: INFO / WARNING
  4xx / ERROR 5xx), logName, resource {type cloud_run_revision, labels project_id, service_name,
  revision_name, location, configuration_name}, labels.instanceId, trace, spanId, traceSampled
  (only when true, proto3 JSON omits false), httpRequest {requestMethod, requestUrl, requestSize
  and responseSize as strings (int64), status, userAgent, remoteIp, serverIp, latency as a
  Duration string "0.412533000s", protocol}; stdout entries carry the app's structured log line
  as jsonPayload (message, logger, fields) and sourceLocation for errors. Both services of the
  project share the sink, told apart by resource.labels.service_name. The app logs to stdout only
  boots, warnings, errors and the directory-cache notice (not every request).
  Based on: the Cloud Logging LogEntry / HttpRequest reference and Cloud Run's request log.
- logs/journal_xero-payroll-sync.jsonl: `journalctl -u xero-payroll-sync.service
  -u xero-payroll-sync.timer -o json` for the period: one JSON object per line, every value a
  string, __CURSOR, __REALTIME_TIMESTAMP (µs since the epoch), __MONOTONIC_TIMESTAMP, _BOOT_ID
  (changes at the reboot of 22/10), _MACHINE_ID, _HOSTNAME, PRIORITY (syslog 2/3/4/5/6),
  SYSLOG_IDENTIFIER, _PID (a new one per timer run), _UID, _COMM, _EXE, _CMDLINE, _TRANSPORT
  journal, _SYSTEMD_UNIT, _SYSTEMD_INVOCATION_ID, MESSAGE; the worker's entries add what
  python-systemd's JournalHandler sends (LOGGER, THREAD_NAME, PROCESS_NAME, CODE_FILE, CODE_LINE,
  CODE_FUNC, _SOURCE_REALTIME_TIMESTAMP) and its upper-case extras (XERO_TENANT_ID, HTTP_STATUS,
  DURATION_MS, ODOO_EMPLOYEE, XERO_EMPLOYEE_ID, XERO_TIMESHEET_ID, RUN_ID, ...); systemd's own
  unit messages (Starting/Finished/Failed with result 'exit-code', timer Stopped/Started) come
  from _PID 1 with UNIT. Dates inside messages are Australian (dd/mm/yyyy).
- logs/odoo-server.log: the Odoo 17 server log (odoo/netsvc.py format
  `%(asctime)s %(pid)s %(levelname)s %(dbname)s %(name)s: %(message)s %(perf_info)s`, so lines
  end with a space; asctime in UTC because Odoo sets TZ=UTC; `log_handler = :INFO,werkzeug:WARNING`
  so no request lines). Holds ir_cron `Starting job `...`.` / `Job done: `...` (N.NNNs).`, the
  queue_job runner's `asking Odoo to run job <uuid> on db calder_prod`, calder_xero warnings on
  Xero 429, queue_job controller tracebacks of failed jobs (`_logger.error(traceback_txt)`),
  odoo.http WARNING for UserError/ValidationError and ERROR "Exception during request handling."
  with a traceback, odoo.service.model SERIALIZATION_FAILURE retries, the shutdown/startup of the
  maintenance, and the maintenance announcement posted by calder_base in English, in Melbourne
  time and Australian dates ("from 13/10/2026 19:30 to 13/10/2026 21:00 AEDT"), four days ahead.
- logs/queue_job_esportazione_2026-10-31.csv: Odoo 17 export dialog of queue.job (list view
  "Esporta", not import-compatible, so label headers) by the it_IT user: CSV with every field
  quoted, header labels from OCA/queue queue_job/i18n/it.po (17.0): UUID, Descrizione, Lavoro,
  Modello, Canale, Stato, Priorità, Data creazione, Data inizio, Data completamento, Tentativo
  attuale, Massimo tentativi, Tempo esecuzione (medio), Eccezione, Messaggio eccezione,
  Informazioni eccezione, Azienda; Stato as the Italian selection labels (Completata, Fallito, In
  attesa, In coda, Iniziato, Annullata); datetimes naive in the exporting user's time zone
  (Australia/Melbourne: Datetime.convert_to_export goes through context_timestamp), so they jump
  one hour at the DST change; rows in queue.job's default order (date_created desc). Exception
  fields as queue_job's controller stores them (exc_name = module + class, e.g.
  odoo.addons.queue_job.exception.FailedJobError, "Max. retries (5) reached: ...").
- records/res_partner.csv, records/project_project.csv: Odoo export dialog, import-compatible
  (technical field names as headers) with the database id: many2one columns as display names
  (parent_id, state_id "Victoria (AU)", country_id, partner_id, user_id, company_id), selection
  and many2many values as their labels (type "Contact", category_id, tag_ids), booleans True/False, create_date/write_date in Melbourne time. 2,7xx partners (≈800 companies and their
  contacts) and ≈320 projects ("P-2417 Sunbury Station – Geotechnical Investigation").
  Partners carry valid ABNs (checksum mod 89) as "51 824 753 556".

Duplicates and hard negatives
-----------------------------
Partners: the 18/08/2026 "prequalification list" re-import (upper-cased or "P/L" names without
ABN), typos, "Pty. Limited"/"Dept of"/"Corp" abbreviations, copies without ABN or e-mail,
trading-name copies, contacts entered twice (nicknames, "Last, First", initials), and the six
no-ABN and the 21/10 double-created subcontractors of the incidents. Hard negatives: sister
companies at the same address and domain with their own ABN (Holdings, Equipment Hire, Labour
Hire ...), the same person's name at another firm, interstate (NSW) entities of a group, and
public bodies with similar names (Monash City Council / Monash University, Barwon Water / Barwon
Health ...). Projects: the 15/10 re-import of seven program rows (same names), "-" for "–",
"P2417" without the hyphen, typos; hard negatives: "Stage 2" projects with their own code and
the same site/scope for another client with another code.

Incidents (labels/incidents.jsonl)
----------------------------------
fir-1 xero_payroll new_error_signature, schema_validation, escalate: after the DST change the
  worker built the 28/09-04/10 timesheet period in UTC (6 daily units, 7 expected); Xero 400
  ValidationException for the same employees every run 05/10 06:00 - 06/10 12:30 (release 2.8.1).
fir-2 xero_payroll expired_credential, credential_auth, escalate: 08/10 09:00-11:45, token
  refresh 400 invalid_grant, every run aborted until the connection was re-authorised.
fir-3 subbie_onboarding error_spike, data_quality, merge_partners: 12/10 burst, six envelopes
  rejected "The VAT <ABN> already exists in another partner." (odoo_partner_id /
  conflicting_partner_id in jsonPayload); merge the re-imported no-ABN duplicates.
fir-4 sharepoint_folders new_error_signature, data_quality, archive_project: 15/10 08:40 the
  re-import created seven duplicate projects; their folder jobs failed (UserError, Graph 409
  nameAlreadyExists). Affected: the duplicate projects and the failed job uuids.
fir-5 timesheet_capture error_spike, configuration, escalate: revision timesheet-api-00057-kez
  (20/10 13:05-14:38) used field x_entra_object_id not installed in production; every write 500.
fir-6 subbie_onboarding duplicate_delivery, configuration, merge_partners: 21/10, 30 s request
  timeout, DocuSign redelivered the same envelope events (same envelope_id and generated_at, 504s); three new
  subcontractors created twice.
fir-7 xero_payroll silent_flow, configuration, escalate: reboot 22/10 01:10 left the timer
  disabled; no runs 22/10 06:00 - 23/10 10:25.
fir-8 timesheet_capture latency_shift, configuration, escalate: WIP revaluation cron ran 26/10
  09:05-12:36 instead of 02:30 (nextcall edited); writes ~3.4 s instead of ~0.4 s.
fir-9 xero_invoice_push retry_storm, rate_limit, requeue_jobs: 30/10 16:00 month-end run of 700
  invoices against Xero's 60 calls/minute; 429s, retries, ~150 jobs Fallito after 5 tries.

Distractors (labels/not_incidents.jsonl)
----------------------------------------
Grand Final Friday holiday; the 23-hour DST Sunday; the announced Odoo maintenance 13/10
19:30-21:00 AEDT (503/502 and "502 Bad Gateway" while down); two normal onboarding bursts (29/09,
19/10); the new INFO "employee directory cache refreshed" after the 07/10 deploy; one-off errors
(a timesheet 500 LockNotAvailable, a Xero 503 retried, a Graph 429 postponed); five
SERIALIZATION_FAILURE retries on 27/10; September month-end; the 14/10 pay-run calls; the Friday
timesheet deadline peak; Cloud Run cold starts (3-6 s first requests after idle).

Build: `python -m evals.estates.fir.generate OUT` (stdlib + numpy, seed 20260921, ~6 s, ~72 MB).
"""
