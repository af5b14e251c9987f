"""cedar: a blind estate of a Chicago management & IT consultancy on Odoo 17.

Firm: Cedar Line Consulting LLC, ~400 consultants, America/Chicago (DST ends 11/01/2026), US federal
holidays (Veterans Day 11/11 worked, Thanksgiving 11/26 and the day after 11/27 closed), five weeks from
Mon 10/26/2026 to Mon 11/30/2026 (month end). Six flows around Odoo 17:

- sfdc_account_sync / sfdc_opportunity_sync: Salesforce outbound messages to a Python bridge on Heroku,
  which upserts res.partner / sale.order over XML-RPC. logs/heroku-sfdc-bridge.log is the Heroku log drain:
  `<RFC 5424 ts> heroku[router]: at=info method=POST path=... service=..ms status=..` and
  `app[web.1]: level=... sync=accounts ...` logfmt lines; unacknowledged notifications are re-sent by
  Salesforce with the same notification_id.
- sow_project_intake: a Zap (DocuSign envelope completed -> Odoo project.project), exported Zap history
  CSV with US 12-hour local timestamps (MM/DD/YYYY hh:mm:ss AM/PM, no offset), statuses Success,
  Filtered, Errored; autoreplay re-runs a run with the same Zap Run ID (Attempt 2).
- bamboohr_employee_sync: a BambooHR webhook receiver on a VM; rsyslog writes RFC 5424 lines
  (`<PRI>1 <local ts with offset> host app procid - - {json}`) whose message is a JSON object.
- invoice_push_billcom / gusto_payroll_journal: OCA queue_job jobs (channels root.billcom, root.gusto),
  exported from Odoo's export dialog as XLSX with the English field labels of queue_job 17.0 (UUID,
  Description, Model, Method Name, Record(s), Task, State, ..., Current try, Max. retries, Exception,
  Exception Message, Channel), datetimes in UTC, newest first; payroll journals are bursty (unit batch).
- logs/odoo-server.log: Odoo 17 server log in UTC: werkzeug access lines with query count/time,
  queue_job runner lines, queue_job controller tracebacks, ir_cron, odoo.sql_db "bad query" +
  odoo.service.model "SERIALIZATION_FAILURE, N tries left" retries, a maintenance announcement in US
  local time, restart lines and a module upgrade.

Records: res_partner.csv / project_project.csv as Odoo CSV exports with English labels and an ID column.

Sources used for the formats (via search): Heroku router/logplex line format (Heroku Dev Center,
Honeybadger's router schema, real drains), Zapier help on Zap history statuses and replay, OCA/queue
17.0 (queue_job/models/queue_job.py field strings, job.py STATES, controllers/main.py failure handling
and FailedJobError "Max. retries (%d) reached: %s"), odoo/odoo sql_db.py ("bad query: %s\\nERROR: %s")
and service/model.py retrying ("%s, %s tries left, try again in %.04f sec...").
"""
