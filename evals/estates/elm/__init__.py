"""Estate "elm": a blind labeled integration estate (designed without reading the product's code).

The firm
--------
Elm Contabilidade e Tecnologia Ltda, São Paulo (BR): an accounting and advisory firm with an IT
consultancy arm (Odoo implementations, support) and a financial-outsourcing desk (BPO financeiro)
that collects receivables by Pix and boleto for its clients. Odoo 18 (l10n_br, so partners
carry l10n_latam_base's "Tipo de identificação" CNPJ/CPF and "Número de identificação"),
OCA queue_job, a few in-house modules (elm_rdstation, elm_jira_sync, elm_ops).

Period 2026-10-26 00:00 to 2026-11-30 24:00 local (36 days), America/Sao_Paulo = UTC-3 all year
(Brazil has had no DST since 2019). Calendar: public holidays Finados Mon 02/11, Proclamação da
República Sun 15/11 (on a Sunday in 2026), Dia Nacional de Zumbi e da Consciência Negra Fri 20/11
(national holiday since Lei 14.759/2023, first observed 2024); company day off Fri 30/10 (internal
"Dia da Família"). Month end: NFS-e issuance 2-3x in the last three business days. Day 10: due
date of the fees and of the BPO clients' boletos, Pix ~3x. calendar.json carries the holidays.

Flows (flows.json)
------------------
- nfse_emissao: Odoo -> Prefeitura de São Paulo NFS-e web service, through an AWS Lambda
  (Node.js 20, SQS-triggered, alias moved between versions 41/42/43). ~1,000-3,000 log events
  per business day, several times that at month end.
- pix_webhook: the bank's Pix PSP -> a Go receiver on Cloud Run (southamerica-east1) -> Odoo
  (XML-RPC). ~1,000 webhooks per business day, weekends a quarter of that, 3x on day 10. The bank
  re-sends a notification that is not answered 2xx (after ~1, 5 and 15 min).
- rdstation_sync: Odoo -> RD Station CRM API v2 (OAuth2, access_token 2 h, rolling refresh token),
  queue.job channel root.rdstation. ~300 jobs per business day, a weekly full contact resync
  (Sunday 03:00 local, 650 jobs).
- timesheet_jira: Jira Cloud -> Odoo timesheets, ir.cron "Jira: importar worklogs" (id 57) every
  10 minutes, all days, logged in the Odoo server log.
- cnab_retorno: bank CNAB 240 return files (Banco do Brasil 001 twice a business day, Itaú 341
  three times) -> S3 -> a Python 3.12 Lambda -> Odoo. Bursty, low volume ("unit": "batch"): one
  invocation per file, 40-260 title lines within seconds (1,900 on 10/11).

Files and their real-world shapes
---------------------------------
- logs/cloudwatch_aws-lambda-nfse-emissor-sp.jsonl and logs/cloudwatch_aws-lambda-cnab-retorno.jsonl:
  what `aws logs filter-log-events --log-group-name /aws/lambda/<fn> --output json | jq -c '.events[]'`
  prints: one JSON object per event with logStreamName ("YYYY/MM/DD/[<version>]<32 hex>", UTC date),
  timestamp and ingestionTime (epoch ms), message (the raw line with its trailing newline) and a
  56-digit eventId. Messages are the Lambda platform lines ("START RequestId: <id> Version: 42",
  "END RequestId: <id>", "REPORT RequestId: <id>\\tDuration: 812.34 ms\\tBilled Duration: 813 ms\\t
  Memory Size: 512 MB\\tMax Memory Used: 141 MB\\t[Init Duration: 412.56 ms\\t]"); the Node.js
  runtime's text format for console.log ("<ISO time>\\t<request id>\\tINFO\\t<message>", the app
  logging JSON.stringify'd objects with Portuguese keys, unhandled errors as
  "ERROR\\tInvoke Error \\t{errorType, errorMessage, stack}"); the Python runtime's format
  ("[INFO]\\t<ISO time>\\t<request id>\\t<message>", an unhandled exception as one
  "[ERROR] <Type>: <msg>\\nTraceback ..." event). S3-triggered (asynchronous) invocations that fail
  are retried twice by Lambda with the same request id; SQS redeliveries carry the same
  sqs_message_id in a new request id. Sources: AWS Lambda developer guide (Node.js / Python
  logging, the REPORT line), the CloudWatch Logs FilterLogEvents API reference.
- logs/pix-webhook_run.googleapis.com_stdout.jsonl: Cloud Logging LogEntry objects as a log sink
  writes them to Cloud Storage (one JSON object per line, keys sorted): insertId, jsonPayload
  (the Go service's slog output with "message" as the message key; Cloud Logging lifts "severity"
  to the entry), httpRequest (requestMethod, requestUrl, status, latency "0.148765s", userAgent...,
  which the receiver writes itself on its result line), labels.instanceId, logName
  "projects/elm-integracoes/logs/run.googleapis.com%2Fstdout", resource
  {type cloud_run_revision, labels service_name / revision_name / location ...}, severity,
  timestamp, receiveTimestamp, trace. Pix payload fields follow the BACEN Pix API webhook
  (endToEndId "E<ISPB 8><yyyyMMddHHmm><11>", txid, valor as a string with a dot).
- logs/queue_job_rdstation_export.csv: Odoo's export dialog on queue.job (OCA/queue) with the
  pt_BR labels of queue_job/i18n/pt_BR.po (UUID, Descrição, Chamada, Canal, Estado, Data de
  Criação, Hora de Enfileiramento, Data de Início, Data de Conclusão, Tentativa atual, Máx. de
  tentativas, Exceção, Mensagem da Exceção, Informações da Exceção, Modelo, Tempo de Execução
  (média)) and its state labels (Concluída, Falhou, Pendente, Enfileirada), exported as .xlsx,
  opened in Excel pt-BR, dates reformatted dd/mm/aaaa hh:mm:ss, saved as "CSV (separado por
  vírgulas)": ';' separator, CRLF, Windows-1252, decimal comma; the datetimes are Odoo's stored
  UTC values (the export does not convert them); multi-line tracebacks quoted in their cell; rows
  in the list view's order (newest first).
- logs/odoo-server.log: Odoo 18's log format from odoo/netsvc.py
  ("%(asctime)s %(pid)s %(levelname)s %(dbname)s %(name)s: %(message)s %(perf_info)s"), server in
  a UTC container, tracebacks on continuation lines, werkzeug request lines with the perf triple,
  ir_cron "Job '...' (57) starting / done in 1.234s", odoo.service.model "SERIALIZATION_FAILURE,
  4 tries left, try again in 0.5123 sec...", shutdown and start-up lines, and the maintenance notice
  an in-house module (elm_ops) logs, in Portuguese with local times ("das 22:00 às 23:59 (horário
  de Brasília)"), while the log's own times are UTC.
- records/res_partner.csv, records/project_project.csv: Odoo's export dialog (not
  import-compatible) as CSV: UTF-8, comma, all fields quoted, pt_BR field labels as headers
  ("Número de identificação", "Tipo de identificação", ID, Criado em, Última atualização em read in
  odoo/addons/l10n_latam_base/i18n/pt_BR.po; "É uma empresa", "Empresa relacionada", "Referência"
  read in odoo/addons/base/i18n/pt_BR.po; Nome, E-mail, Telefone, Rua, Cidade, Estado, CEP, País,
  Ativo and, for projects, Cliente, Gerente do projeto, Data de início, Data de término, Empresa,
  Marcadores as Odoo's pt_BR UI shows them, not checked file by file), many2one as display names ("São Paulo
  (BR)"), booleans True/False, datetimes "YYYY-MM-DD HH:MM:SS" UTC.

Incidents (labels/incidents.jsonl; windows computed from the generated events)
------------------------------------------------------------------------------
elm-1  expired_credential  rdstation_sync  05/11 12:05-17:40 local: client_secret regenerated in the
       RD Station App Store; token renewal 401 ACCESS_DENIED "Wrong credentials provided."; every job
       fails (UserError). credential_auth -> escalate. affected: the failed queue.job uuids.
elm-2  retry_storm  rdstation_sync  12/11 14:00-16:48 local: bulk update of 1,500 deals; 429 Too Many
       Requests; RetryableJobError postpones, a third reach FailedJobError "Max. retries (5)
       reached". rate_limit -> requeue_jobs (the failed uuids).
elm-3  error_spike  pix_webhook  11/11-12/11: the re-import of 10/11 created partners sharing a CNPJ
       with existing ones; "Fault 2: ValueError: Expected singleton: res.partner(a, b)" with
       partner_ids in the structured payload; 500 and bank re-sends. data_quality -> merge_partners
       (the 12 res.partner ids).
elm-4  duplicate_delivery  pix_webhook  19/11 14:55-15:40 local: the PSP replays the morning's
       notifications (same endToEndId); 1 h idempotency TTL lets them through. upstream_outage ->
       escalate.
elm-5  new_error_signature  pix_webhook  25/11-26/11: the PSP adds a "devolucoes" array; Go decode
       error "json: cannot unmarshal array into Go struct field Pix.pix.devolucoes ..."; 400 and
       re-sends until revision 00044. schema_validation -> escalate.
elm-6  latency_shift  nfse_emissao  17/11 13:30-17:45 local: Prefeitura web service slow (REPORT
       Duration ~0.8 s -> ~5 s). upstream_outage -> post_note.
elm-7  error_spike  nfse_emissao  24/11 10:12-12:42 local: Lambda version 43 with the wrong service
       code (01.07) in its environment; every batch rejected with 1206, SQS redelivers 3 times, then
       DLQ; alias back to 42. configuration -> escalate.
elm-8  silent_flow  timesheet_jira  15/11 00:09 local - 17/11 11:38: the module upgrade of the
       maintenance window left ir.cron 57 inactive. configuration -> escalate.
elm-9  error_spike  timesheet_jira  23/11-26/11: a project duplicated with the same Jira key;
       "ValueError: Expected singleton: project.project(o, c)" on each cron run. data_quality ->
       archive_project (the copy; both ids listed).
elm-10 error_spike  cnab_retorno  18/11-19/11: Banco do Brasil switches to CNAB layout version
       107; LayoutNaoSuportado on every BB file, 3 attempts each (same request id), fixed and
       reprocessed 19/11 16:05 local. schema_validation -> escalate.

Distractors (labels/not_incidents.jsonl)
----------------------------------------
Finados 02/11, Proclamação 15/11 (Sunday), Consciência Negra 20/11, the company day off 30/10; the
Odoo maintenance of Sat 14/11 22:00-23:59 local announced in the server log on 12/11 and 14/11
(Pix receiver sees 502 from Odoo and answers 503, the bank re-sends later); the 1,900-title BB
return file of 10/11; revision 00043 of the Pix receiver logging a new INFO line every 30 min; a
single ETIMEDOUT on NFS-e (redelivered, succeeds); a single "context deadline exceeded" on Pix;
SERIALIZATION_FAILURE retries on the month-end afternoon; the month-end NFS-e peak; the day-10
Pix peak; the weekly RD Station resync; the cold starts after the deploy of NFS-e version 42.

Records
-------
~2,830 partners (760 client companies with 1-3 contacts each, 260 individuals with CPF, vendors)
and ~345 projects ("[KEY] Serviço - Cliente"). Duplicates: the 10/11 re-import (upper case, bare
CNPJ digits, no e-mail), typos, abbreviations ("Com.", "Ind.", "Limitada"), missing tax id,
duplicated contacts ("Jose"/"José", "Diego C."); project copies "(cópia)", re-imports without the
key, typos. Hard negatives: matriz and filial (same CNPJ root, order 0002), the same person's name
at two firms, look-alike company names with another CNPJ, "Fase 2" projects with their own key,
another fiscal year's closing, the same service for the filial.
"""
