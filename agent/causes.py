"""Cause classification: structured signals first, then wording rules, then a small text model.

Structured signals are what the error *is*, not how it is phrased: the Odoo exception class
(odoo.exceptions.ValidationError, UserError, AccessError, MissingError, psycopg2 serialization
failures), the HTTP status, well-known error codes (OAuth `invalid_grant`), the queue.job
exc_name, the field that failed, and whether the error names a duplicate (a unique VAT, ref or
e-mail), or a lookup Odoo's `ensure_one()` found ambiguous ("Expected singleton: res.partner(7, 9)").
A duplicate-VAT rejection is data quality (the fix is a merge) even though it is a ValidationError, and
so is an ambiguous partner lookup behind a 500; a tax-code mapping error is configuration. An incident
whose events carry no status field (queue.job exports) counts the HTTP statuses its errors name.
Every verdict says whether a retry is safe (never for validation, access or lock-date errors), and
proposals respect it.

Rules carry what an integration engineer knows for sure (a 429 is a rate limit, a 401 with
"apikey" is a credential); the TF-IDF + logistic-regression model, trained on the shipped
`cause_examples.csv`, handles free-text errors no rule names. The model ships as joblib;
`retrain()` rebuilds it from the CSV.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import joblib
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.model_selection import GroupShuffleSplit, train_test_split
from sklearn.pipeline import FeatureUnion, Pipeline

from odoo_triage.core.domain import Cause

HERE = Path(__file__).parent
EXAMPLES_CSV = HERE / "cause_examples.csv"
MODEL_PATH = HERE / "models" / "cause_model.joblib"


@dataclass(frozen=True)
class Signals:
    """What an error text says structurally; texts are untrusted, only these facts are kept."""

    exception: str | None = None  # short class name: ValidationError, AccessError, SerializationFailure, ...
    codes: frozenset[str] = frozenset()  # invalid_grant, invalid_token, timeout, ...
    field: str | None = None  # the field that failed, when named
    duplicate: str | None = None  # "vat" | "ref" | "email" | "registry" | "unique": the error names a duplicate
    lock_date: bool = False
    config_mapping: bool = False  # a configuration object (tax, fiscal position, journal, account) is unmapped
    stale_reference: str | None = None  # a well-formed counterparty identifier (BIC, IBAN, VAT) that refers to nothing
    unknown_field: bool = False  # Odoo says the model has no such field: the two sides' field lists drifted apart
    empty_link_field: str | None = None  # a record's link / key field to another system is empty (x_jira_key)
    payload_field: str | None = None  # a field of the other system's payload (camelCase) is absent: its contract moved
    missing_identifier: str | None = None  # a partner identifier (VAT, SIRET, IBAN, e-mail) is empty: master data
    bad_selection: str | None = None  # "model.field" a selection value was refused on: the sender's value is not allowed
    no_match: str | None = None  # the field whose value matches no record (Odoo's import lookup): master data
    field_to_set: str | None = None  # a UserError names a field to set on a record: a configuration step was missed
    ambiguous: str | None = None  # "res.partner": Odoo's ensure_one found several records where one was looked up


#: Causes a retry can fix by itself (the other side recovers); others need a person or a data fix.
RETRY_SAFE_CAUSES = frozenset({Cause.rate_limit, Cause.upstream_outage})
#: Exceptions a retry never fixes: the same data meets the same check.
NEVER_RETRY = frozenset({"ValidationError", "UserError", "AccessError", "AccessDenied", "MissingError",
                         "UniqueViolation", "IntegrityError", "UnprocessableEntity"})
TRANSIENT = frozenset({"SerializationFailure", "TransactionRollbackError", "LockError", "RetryableJobError"})
#: Transient because two writers collided, not because the other side was down: a job or cron scheduled
#: against the same rows (a configuration / scheduling problem). The failed work is safe to requeue.
CONCURRENCY = frozenset({"SerializationFailure", "TransactionRollbackError", "LockError"})


@dataclass(frozen=True)
class CauseVerdict:
    cause: Cause
    confidence: float
    source: str  # "signal:<name>" | "rule:<name>" | "model" | "none"
    retry_safe: bool = False  # may the failed work simply be retried (requeued)?
    signals: Signals = Signals()


def retry_safe(cause: Cause, signals: Signals) -> bool:
    """Retry only what the other side's recovery fixes; never validation, access or lock-date errors."""
    if signals.lock_date or signals.duplicate or signals.config_mapping or signals.stale_reference \
            or signals.unknown_field or signals.empty_link_field or signals.missing_identifier \
            or signals.bad_selection or signals.no_match or signals.field_to_set or signals.ambiguous:
        return False
    if signals.exception in TRANSIENT:
        return True
    if signals.exception in NEVER_RETRY:
        return False
    return cause in RETRY_SAFE_CAUSES


_EXCEPTION = re.compile(
    r"\b(?:odoo\.exceptions\.|psycopg2?\.(?:errors|extensions)\.|werkzeug\.exceptions\.|"
    r"odoo\.addons\.queue_job\.exception\.)?"
    r"(ValidationError|UserError|AccessError|AccessDenied|MissingError|RedirectWarning|LockError|"
    r"SerializationFailure|TransactionRollbackError|UniqueViolation|IntegrityError|UnprocessableEntity|"
    r"RetryableJobError|FailedJobError|NothingToDoJob)\b")
_SERIALIZATION = re.compile(r"(?i)could not serialize access|deadlock detected|could not (?:obtain|acquire) (?:a |the )?lock|"
                            r"concurrent update|lock not available")
#: OAuth 2.0 error codes (RFC 6749 section 5.2 and 4.1.2.1, RFC 6750 section 3.1): `access_denied` is the
#: authorization server refusing the client or the grant, as CRM APIs answer a renewal with a stale secret.
_OAUTH = re.compile(r"(?i)\b(invalid_grant|invalid_token|invalid_client|unauthorized_client|expired_token|token_expired|"
                    r"access_denied)\b")
_RETRY_AFTER = re.compile(r"(?i)\bretry-after\b|\bx-ratelimit-remaining: ?0\b")
_TIMEOUT_CODE = re.compile(r"(?i)\b(timed? ?out|timeout|ETIMEDOUT|ECONNRESET|ECONNREFUSED|read timeout)\b")
_DUPLICATE = re.compile(
    r"(?i)(duplicate|already (?:exists?|used|in use|registered|taken|assigned|linked)|must be unique|unique constraint|"
    r"violates unique|uniq\b|not unique|"
    # German and French, as Odoo's translated messages and European middleware write them
    r"bereits (?:vorhanden|vergeben|verwendet|registriert|existiert)|existiert bereits|ist bereits\b.{0,80}?\bzugeordnet|"
    r"\bdoppelt\b|\bduplikat|eindeutig sein|existe d[ée]j[àa]|d[ée]j[àa] (?:utilis|attribu|enregistr))")
_CONFLICT = re.compile(r"(?i)\b409\b|\bconflict\b")
_DUP_SUBJECT = re.compile(
    r"(?i)\b(vat|tax id|ref|reference|e-?mail(?:-?adresse)?|company_registry|registry|siren|kvk|phone|"
    r"ust-?id(?:-?nr)?\.?|uid(?:-nummer)?|steuernummer|umsatzsteuer-?id|tva)(?![\w-])|_(vat|ref|email)_uniq")
_PARTNER_WORDS = re.compile(r"(?i)\bres[._]partner|\b(partner|customer|vendor|supplier|contact|company|"
                            r"kontakt|kunde|kunden|lieferant|firma|unternehmen|client|fournisseur|soci[ée]t[ée])\b")
#: Identifiers that are a partner's by nature: a duplicate of one names a duplicate partner even unnamed.
_PARTNER_IDS = re.compile(r"(?i)\b(vat|tax id|e-?mail(?:-?adresse)?|ust-?id(?:-?nr)?|uid-nummer|umsatzsteuer-?id|tva)(?![\w-])|_(vat|email)_uniq")
_VAT_NAMES = frozenset({"taxid", "ustid", "ustidnr", "uid", "uidnummer", "steuernummer", "umsatzsteuerid", "tva"})


def _dup_subject(word: str) -> str:
    """The duplicate's subject as one name: `USt-IdNr.` and `tax id` are vat, `E-Mail-Adresse` is email."""
    w = re.sub(r"[^a-z_]", "", word.lower())
    if w.startswith("email"):
        return "email"
    if w in _VAT_NAMES:
        return "vat"
    return "ref" if w == "reference" else w
_LOCK_DATE = re.compile(r"(?i)lock[ _-]?date|locked period|period (?:is )?(?:locked|closed)|fiscal (?:year )?lock|"
                        r"before the (?:lock|closing) date")
_CONFIG_MAPPING = re.compile(
    r"(?i)\b(tax(?:[ _-]?code)?|fiscal position|journal|chart of accounts|account(?:ing)? code|tax grid|currency)\b"
    r".{0,60}\b(mapping|not mapped|no mapping|unmapped|not configured|not found|does not exist|is missing)\b"
    r"|\b(no|missing|unknown) (tax|fiscal position|journal|account) (code )?(mapping|configured)"
    # "No tax found for product X in fiscal position Y": the configuration object is absent, not the data wrong
    r"|\bno (taxe?s?|tax code|fiscal position|journal|account(?:ing)? account|tax grid|pricelist|currency rate)\b"
    r"[^|;\n]{0,40}\b(found|configured|defined|set up|mapped)\b"
    # "journal 'BNK1' has no default account": a configuration object lacks its own setting
    r"|\b(journal|tax|fiscal position|payment method|product category|company)\b[^|;\n]{0,40}\bhas no "
    r"(?:default |income |expense |outstanding )?(account|journal|sequence|tax)\b"
    # German and French: "kein Steuersatz ... gefunden", "aucune taxe ... trouvée"
    r"|\bkeine?[nrs]? (steuer\w*|steuerposition|journal|konto|sachkonto|buchungskonto|w[äa]hrungskurs)\b"
    r"[^|;\n]{0,80}\b(gefunden|konfiguriert|zugeordnet|hinterlegt|definiert)\b"
    r"|\baucun(?:e)? (taxe|position fiscale|journal|compte(?: comptable)?|taux de change)\b"
    r"[^|;\n]{0,80}\b(trouv[ée]e?s?|configur[ée]e?s?|d[ée]fini[e]?s?|param[ée]tr[ée]e?s?)"
    # an authority refusing a fiscal code *for the issuer* ("Código do serviço ... não permitido para o prestador",
    # "tax code not allowed for the seller"): the code is the sender's own registration setting, the same on every
    # document it sends, not one record's data
    r"|\b(?:tax|service|fiscal|tribut\w*|servi[çc]o|cfop|activity|actividad|atividade)\b[^|;\n]{0,60}?"
    r"\b(?:not allowed|not permitted|n[ãa]o permitid[oa]|no permitid[oa]|non consentit[oa]|nicht zul[äa]ssig|"
    r"non autoris[ée]e?)\s+(?:for|para|pour|per|f[üu]r)\s+(?:the |o |a |el |le |la |il |den |die )?"
    r"(?:provider|issuer|seller|supplier|company|taxpayer|prestador|emitente|emissor|emisor|contribuinte|"
    r"contribuyente|[ée]metteur|fournisseur|prestatore|aussteller|leistungserbringer)\b")
#: Odoo's own words for a write or read of a field the model does not have ("Invalid field 'x' on model 'y'",
#: "Unknown field", "...has no field named..."): a mapping written for fields that were removed or renamed.
_UNKNOWN_FIELD = re.compile(
    r"(?i)\binvalid field ['\"`]?[a-z_][a-z0-9_.]*['\"`]? (?:on|in) (?:model|leaf)\b|\bunknown field ['\"`]?[a-z_]|"
    r"\bhas no field (?:named )?['\"`]?[a-z_]|\bfield ['\"`]?[a-z_][a-z0-9_]*['\"`]? does not exist on (?:model )?['\"`]?[a-z_]")
#: A counterparty identifier whose format passed but which refers to no reachable party: stale master data
#: (the fix is the partner's data, not the message's shape). A format error ("IBAN is not valid", "BIC
#: missing", "does not match the schema") stays schema validation.
_REFERENCE_ID = re.compile(r"(?i)\b(BIC|SWIFT(?: code)?|IBAN|bank account|VAT(?: number)?|tax id|EORI|GLN|"
                           r"peppol id|endpoint id)\b")
_REFERENCE_STALE = re.compile(r"(?i)\b(not reachable|unreachable|does not exist|no longer exists|not registered|"
                              r"unknown to|is closed|account closed|blocked|inactive|dormant|deregistered)\b")
#: "field x_jira_project_key is empty", "das Feld x_key ist leer", "le champ x_code est vide": a named field unset.
_EMPTY_FIELD = re.compile(
    r"(?i)\b(?:field|feld|champ)\s+[«„“\"'`]?\s*([a-z_][a-z0-9_]{1,60})\s*[»“”\"'`]?\s+"
    r"(?:is\s+|ist\s+|est\s+)?(?:empty|not set|unset|blank|leer|nicht gesetzt|vide|non renseign[ée])\b")
#: A field that links a record to another system: a custom field (Odoo's x_ prefix, what Studio and
#: integrations add) or one named as a key, external id or mapping. Empty, the link is unconfigured;
#: an empty ordinary field (vat, email) is the record's data, not configuration.
_LINK_FIELD = re.compile(r"^x_|_(?:key|external_id|mapping|remote_id)$")
#: A quoted camelCase name (Odoo's own fields are snake_case) said to be absent: the other system's payload
#: lost a field ("champ « etablissementSiege » absent", "field 'billingAddress' missing"). Every record it
#: carries fails alike, so the fix is the connector or the sender, not each record's data.
_PAYLOAD_FIELD = re.compile(r"[«„“\"'`]\s*([a-z]+[A-Z][A-Za-z0-9]*)\s*[»“”\"'`]\s*\)?\s*"
                            r"(?:is\s+|ist\s+|est\s+)?(?:absent|missing|fehlt|manquant|not present|no longer)"
                            r"|(?:absent|missing|fehlt|manquant|no)\s+(?:field|feld|champ)?\s*[«„“\"'`]\s*"
                            r"([a-z]+[A-Z][A-Za-z0-9]*)\s*[»“”\"'`]")
#: A party's identifier sent with an empty value ("vat_number « » is not valid", "VAT number is empty",
#: "customer without VAT"): the record lacks master data, which its owner fills in. A schema's own rule
#: ("vat is required", "BIC missing") and a malformed value ("IBAN does not match the SEPA schema") stay
#: schema validation, as the shipped examples label them.
_IDENTIFIER = (r"(?:vat(?:[ _]?(?:number|no|id))?|tax[ _]?id|siret|siren|iban|bic|e-?mail|ust-?id(?:nr)?|"
               r"uid|tva|eori|company[ _]registry)")
_MISSING_IDENTIFIER = re.compile(
    rf"(?i)\b(?:[a-z_]+\.)?({_IDENTIFIER})\b\W{{0,3}}(?:«\s*»|„\s*“|''|\"\"|``)"
    rf"|\b({_IDENTIFIER})\b\W{{0,3}}(?:is |ist |est )?(?:empty|blank|leer|vide)\b"
    rf"|\b(?:without|ohne|sans)\s+(?:a\s+|an\s+|de\s+|num[ée]ro\s+(?:de\s+)?)?({_IDENTIFIER})\b")
#: Any field said to be absent from the other side's response or payload ("field siege_id missing from the
#: API response", "champ absent de la réponse"): the same contract change, whatever the field's spelling.
_ABSENT_FROM_RESPONSE = re.compile(
    r"(?i)\b(?:missing|absent|fehlt|manquant|not present)\b[^|\n]{0,40}?\b(?:from|in|of|aus|dans|de|der|in der)\s+"
    r"(?:the\s+|la\s+|der\s+|l')?(?:api\s+)?(response|r[ée]ponse|antwort|payload)\b")
#: Odoo's Selection field refusing a value (odoo/fields.py convert_to_cache: "Wrong value for %s: %r", where
#: %s renders as model.field): the sender sends a value the field does not offer; the same value fails again.
_BAD_SELECTION = re.compile(r"\bWrong value for ([a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)+): ")
#: A value that matches no record: Odoo's import lookup (ir_fields `_str_to_many2one`: "No matching record
#: found for name 'X' in field 'Y'") and the connectors' "no res.country.state matches code='X'". The
#: sender's master data does not match ours; retrying sends the same value.
_NO_MATCH = re.compile(
    r"(?i)\bno matching record found for (?:name|external id|database id|[a-z ]{1,20}) '[^'\n]{0,80}' in field "
    r"'([^'\n]{1,60})'"
    r"|\bno ([a-z_]+(?:\.[a-z_]+)+) (?:record )?match(?:es|ing)? ['\"`]?([A-Za-z_][A-Za-z0-9_.]{0,60})['\"`]?\s*(?:=|==|:)")
#: A UserError that names the field to set on a record ("set x_foo on the partner", "please set the field
#: X", "veuillez renseigner le champ X"): a step a configuration change introduced was not done for it.
_FIELD_TO_SET = re.compile(
    r"(?i)\b(?:please\s+)?(?:set|fill in|define|configure)\s+(?:the\s+)?(?:field\s+)?[«„“\"'`]?([a-z_][a-z0-9_]{1,60})"
    r"[»“”\"'`]?\s+(?:on|of|for)\s+(?:the|this|that|each)\b"
    r"|\bplease\s+set\s+the\s+field\s+[«„“\"'`]?([A-Za-z_][\w ]{0,60}?)[»“”\"'`]?(?:\s+on\b|[.,;]|$)"
    # Spanish, French and German UserErrors naming the field by its label, the technical name in brackets:
    # "Corrija el campo Oficina contable (oficina_contable) del cliente", "veuillez renseigner le champ
    # Code (x_code)", "Bitte pflegen Sie das Feld Kostenstelle (x_kst)"
    r"|\b(?:corrija|rellene|complete|indique|informe|configure|establezca|defina|veuillez\s+(?:renseigner|corriger|"
    r"compl[ée]ter|d[ée]finir)|renseignez|corrigez|bitte\s+(?:setzen|pflegen|korrigieren|f[üu]llen)\s+sie)\s+"
    r"(?:el|le|das|den)\s+(?:campo|champ|feld)\s+[^()\n]{0,60}?\(([a-z_][a-z0-9_]{1,60})\)")
#: Odoo's `ensure_one()` (odoo/models.py: `raise ValueError("Expected singleton: %s" % self)`, the recordset
#: rendered as `res.partner(7, 9)`): a lookup by an identifier that should be unique (a VAT, a key) found two
#: or more records. The same lookup finds them again on every retry; merging the duplicates is the fix.
_SINGLETON = re.compile(r"\bExpected singleton: ([a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)+)\(\d+, ?\d+")
_SCHEMA_FORMAT = re.compile(r"(?i)schema|xsd|format|not (?:a )?valid|invalid|is missing|missing|required")
_FIELD = re.compile(r"(?i)\bfield[s]? ['\"`]?([a-z_][a-z0-9_]{1,60})['\"`]?|\b[a-z_]+\.[a-z_.]+\.([a-z_][a-z0-9_]{1,60})\b")


def read_signals(text: str) -> Signals:
    """Structured facts in an error text: exception class, error codes, field, duplicate, lock date."""
    exc = _EXCEPTION.search(text)
    exception = exc.group(1) if exc else None
    if exception in (None, "FailedJobError", "LockError", "RetryableJobError") and _SERIALIZATION.search(text):
        exception = "SerializationFailure"
    codes = {m.lower() for m in _OAUTH.findall(text)}
    if _TIMEOUT_CODE.search(text):
        codes.add("timeout")
    if _RETRY_AFTER.search(text):
        codes.add("retry_after")
    duplicate = None
    if _DUPLICATE.search(text) and (_PARTNER_WORDS.search(text) or _PARTNER_IDS.search(text)):
        subject = _DUP_SUBJECT.search(text)
        duplicate = next((g for g in subject.groups() if g), "unique").lower() if subject else None
        if duplicate is not None:
            duplicate = _dup_subject(duplicate)
    if duplicate is None and _DUPLICATE.search(text) and (exception in ("UniqueViolation", "IntegrityError")
                                                          or _CONFLICT.search(text)):
        duplicate = "record"  # a unique constraint or a 409 "already exists" on any record: the record is there
    field_m = _FIELD.search(text)
    stale = None
    ident, verdict = _REFERENCE_ID.search(text), _REFERENCE_STALE.search(text)
    if ident and verdict and abs(verdict.start() - ident.end()) <= 60 and not _SCHEMA_FORMAT.search(text):
        stale = ident.group(1).split()[0].lower()
    empty = _EMPTY_FIELD.search(text)
    empty_link = empty.group(1).lower() if empty and _LINK_FIELD.search(empty.group(1).lower()) else None
    payload = _PAYLOAD_FIELD.search(text) or _ABSENT_FROM_RESPONSE.search(text)
    missing = _MISSING_IDENTIFIER.search(text)
    selection = _BAD_SELECTION.search(text)
    no_match = _NO_MATCH.search(text)
    to_set = _FIELD_TO_SET.search(text) if exception == "UserError" else None
    singleton = _SINGLETON.search(text)
    return Signals(ambiguous=singleton.group(1) if singleton else None,
                   bad_selection=selection.group(1) if selection else None,
                   no_match=next((g for g in no_match.groups()[::-1] if g), "") if no_match else None,
                   field_to_set=next((g for g in to_set.groups() if g), "").strip() if to_set else None,
                   missing_identifier=next((g for g in missing.groups() if g), "").lower() if missing else None,
                   payload_field=next((g for g in payload.groups() if g), None) if payload else None,
                   empty_link_field=empty_link, stale_reference=stale, unknown_field=bool(_UNKNOWN_FIELD.search(text)), exception=exception, codes=frozenset(codes),
                   field=next((g for g in field_m.groups() if g), None) if field_m else None,
                   duplicate=duplicate, lock_date=bool(_LOCK_DATE.search(text)),
                   config_mapping=bool(_CONFIG_MAPPING.search(text)))


def _with_safety(verdict: CauseVerdict, signals: Signals) -> CauseVerdict:
    return CauseVerdict(verdict.cause, verdict.confidence, verdict.source, retry_safe(verdict.cause, signals), signals)


def signal_cause(signals: Signals) -> CauseVerdict | None:
    """The cause the structured signals settle before any status count or wording is looked at."""
    if signals.duplicate:
        return CauseVerdict(Cause.data_quality, 0.92, f"signal:duplicate-{signals.duplicate}")
    if signals.ambiguous:  # one identifier, several records: duplicates, whatever the HTTP status said
        return CauseVerdict(Cause.data_quality, 0.88, "signal:expected-singleton")
    if signals.codes & {"invalid_grant", "invalid_token", "invalid_client", "unauthorized_client", "expired_token",
                        "token_expired", "access_denied"} or signals.exception == "AccessDenied":
        return CauseVerdict(Cause.credential_auth, 0.93, "signal:oauth" if signals.codes else "signal:access-denied")
    if signals.lock_date:
        return CauseVerdict(Cause.configuration, 0.88, "signal:lock-date")
    if "retry_after" in signals.codes:  # the server says when to come back: throttling
        return CauseVerdict(Cause.rate_limit, 0.9, "signal:retry-after")
    if signals.bad_selection:  # the field does not offer the sender's value: the sender's owner aligns it
        return CauseVerdict(Cause.schema_validation, 0.88, "signal:selection-value")
    if signals.no_match:
        return CauseVerdict(Cause.data_quality, 0.85, "signal:no-matching-record")
    if signals.config_mapping:
        return CauseVerdict(Cause.configuration, 0.85, "signal:config-mapping")
    if signals.unknown_field:
        return CauseVerdict(Cause.configuration, 0.85, "signal:unknown-field")
    if signals.stale_reference:
        return CauseVerdict(Cause.data_quality, 0.8, f"signal:stale-{signals.stale_reference}")
    if signals.missing_identifier:
        return CauseVerdict(Cause.data_quality, 0.8, f"signal:missing-{signals.missing_identifier}")
    if signals.exception == "AccessError":
        # Odoo authenticated the user and then refused the operation: its groups or record rules lack the
        # right (a role clean-up, a new model), which is access configuration; a rejected login is AccessDenied
        return CauseVerdict(Cause.configuration, 0.85, "signal:AccessError")
    if signals.empty_link_field:
        return CauseVerdict(Cause.configuration, 0.8, "signal:empty-link-field")
    if signals.field_to_set:
        return CauseVerdict(Cause.configuration, 0.8, "signal:field-to-set")
    return None


#: Signals one error line carries that say what the sender sent; they settle an incident's cause only when
#: the incident's dominant error signature carries them, never from one stray line among other failures.
VALUE_SIGNALS = frozenset({"signal:selection-value", "signal:no-matching-record", "signal:field-to-set"})


def dominant_error(errors: Counter[str]) -> str | None:
    """The error wording (digits folded when counted) most failed events share, when it holds a majority of them."""
    shapes: Counter[str] = Counter()
    wording: dict[str, str] = {}
    for error, n in errors.most_common():
        shape = re.sub(r"\d+", "0", error)
        shapes[shape] += n
        wording.setdefault(shape, error)  # the shape's most frequent wording stands for it
    if not shapes:
        return None
    top, n = shapes.most_common(1)[0]
    return wording[top] if n * 2 > sum(shapes.values()) else None


def carried_by_dominant(verdict: CauseVerdict, errors: Counter[str]) -> bool:
    """Does the incident's dominant error signature carry the value signal the verdict rests on? True when
    the verdict rests on no such signal, or no wording dominates (nothing to overrule it with)."""
    if verdict.source not in VALUE_SIGNALS:
        return True
    top = dominant_error(errors)
    if top is None:
        return True
    own = signal_cause(read_signals(top))
    return own is not None and own.source == verdict.source


def exception_cause(signals: Signals) -> CauseVerdict | None:
    """The cause an Odoo / psycopg2 exception class names, when no HTTP status settled it."""
    exc = signals.exception
    if exc in CONCURRENCY:
        return CauseVerdict(Cause.configuration, 0.8, f"signal:{exc}")
    if exc in TRANSIENT:
        return CauseVerdict(Cause.upstream_outage, 0.8, f"signal:{exc}")
    if exc == "MissingError":
        return CauseVerdict(Cause.data_quality, 0.8, "signal:MissingError")
    if exc in ("ValidationError", "UserError", "UnprocessableEntity", "UniqueViolation", "IntegrityError"):
        return CauseVerdict(Cause.schema_validation, 0.85, f"signal:{exc}")
    if "timeout" in signals.codes:
        return CauseVerdict(Cause.upstream_outage, 0.8, "signal:timeout")
    return None


# --------------------------------------------------------------------------- rules

_CRED_WORDS = re.compile(r"(?i)api ?key|token|unauthori[sz]ed|credential|access ?denied|authenticat|session expired|login|"
                         r"authorization header")
_SCHEMA_WORDS = re.compile(r"(?i)validationerror|validation (error|failed)|schema|does not match|unprocessable|invalid value|xsd")
_DUP_WORDS = re.compile(r"(?i)duplicate|idempotency key .*twice|(received|created|delivered|sent|posted) twice|redeliver|"
                        r"is a copy of|share the (same )?(e-?mail|vat|phone|name)")
_TIMEOUT_WORDS = re.compile(r"(?i)timed? ?out|timeout|connection (refused|reset)|service unavailable|bad gateway|"
                            # the reason phrase without its code (Microsoft Graph / SharePoint: "The service is
                            # unavailable.", "temporarily unavailable")
                            r"\b(?:service|server|api|backend) is (?:currently |temporarily )?unavailable|"
                            r"dns resolution|name resolution|is down\b|major outage|status page|degraded")
#: A message format, layout or version the reader does not accept ("LayoutNaoSuportado: versão do layout 107;
#: suportadas: 101, 103", "Unsupported file format version 3", "Format nicht unterstützt"): the sender moved
#: to a format revision this side cannot parse, a schema mismatch whatever the record.
_UNSUPPORTED_FORMAT = re.compile(
    r"(?i)\b(?:layout|format|version|vers[ãa]o|versi[óo]n|versione|schema|encoding|media[ _-]?type|content[ _-]?type|"
    r"file[ _-]?type)\w{0,3}?(?:[^|\n]{0,60}?)(?:not supported|unsupported|n[ãa]o[ _-]?suportad|no[ _-]?soportad|"
    r"non[ _-]?support|nicht[ _-]?unterst[üu]tzt|non[ _-]?supportat)"
    r"|\b(?:unsupported|n[ãa]o[ _-]?suportad\w*|nicht unterst[üu]tzte?s?)\W{0,3}(?:file |message |record )?"
    r"(?:layout|format|version|vers[ãa]o|schema|encoding|media[ _-]?type)")
#: A writer whose target lacks a column or field the source now sends (Kafka Connect's JDBC sink: "Table ... is
#: missing fields (...) and auto-evolution is disabled"; SQLite / MySQL: "no such column", "Unknown column"):
#: the two sides' schemas no longer match.
_SCHEMA_MISMATCH = re.compile(r"(?i)\bis missing (?:fields|columns)\b|\bno such column\b|\bunknown column\b")
_CONFIG_WORDS = re.compile(r"(?i)\bgone\b|api change|deprecated|retired|endpoint (moved|removed)|misconfigur|does not exist on model")
_RATE_WORDS = re.compile(r"(?i)too many requests|rate.?limit|throttl|quota")


_ERROR_KINDS = {"error_spike", "new_error_signature", "retry_storm"}


def _status_class(status: int) -> Cause | None:
    if status in (401, 403):
        return Cause.credential_auth
    if status == 429:
        return Cause.rate_limit
    if status >= 500:
        return Cause.upstream_outage
    if status in (404, 405, 410):
        return Cause.configuration
    if status in (400, 409, 422):
        return Cause.schema_validation
    return None


def dominant_status_cause(statuses: Counter[int]) -> tuple[Cause, float] | None:
    """The cause most failed calls' HTTP statuses point to, and its share, when it is a majority."""
    classes: Counter[Cause] = Counter()
    for status, n in statuses.items():
        cls = _status_class(status)
        if cls is not None:
            classes[cls] += n
    if not classes:
        return None
    cause, n = classes.most_common(1)[0]
    share = n / sum(classes.values())
    return (cause, share) if share >= 0.5 else None


#: An operation name that says the integration asks on its own schedule (a poll), not that it is sent to.
_POLL_OPERATION = re.compile(r"(?i)(?:^|[^a-z])(poll(?:s|ing)?|pull|fetch)(?:[^a-z]|$)")


def is_polling(operations: Iterable[str]) -> bool:
    """Are most of the flow's cited operations polls ("statements.poll", "fetch orders")?"""
    ops = [o for o in operations if o]
    return bool(ops) and sum(1 for o in ops if _POLL_OPERATION.search(o)) * 2 > len(ops)


def rule_cause(kinds: Iterable[str], statuses: Counter[int], text: str,
               operations: Iterable[str] = (), errors: Counter[str] | None = None,
               backlog: bool = False) -> CauseVerdict | None:
    """The cause the evidence makes certain, or None when it takes judgement; with its retry safety.

    `operations` are the cited events' operation names (a structured field), for silences; `errors` the
    failed events' error texts with their counts, when wordings of two transient causes are mixed; `backlog`
    says a silence ended with the messages it missed arriving in a burst (the sender held them)."""
    signals = read_signals(text)
    kinds = set(kinds)
    verdict = _rule_cause(kinds, statuses, text, signals, is_polling(operations), errors, backlog)
    if verdict is None:
        return None
    verdict = _with_safety(verdict, signals)
    if "duplicate_delivery" in kinds and verdict.retry_safe:
        # the message was already processed, maybe twice: one more delivery makes one more copy
        verdict = CauseVerdict(verdict.cause, verdict.confidence, verdict.source, False, signals)
    return verdict


#: Statuses that say the caller stopped waiting, not that the receiver refused: the work may still be done.
GATEWAY_TIMEOUTS = frozenset({408, 504, 524, 598, 599})


def receiver_was_slow(kinds: set[str], statuses: Counter[int], signals: Signals) -> bool:
    """Did the receiver answer too slowly (a latency shift, timeouts, gateway timeouts)? A sender that
    timed out redelivers a message the receiver went on to process: the slowness is the cause."""
    timeouts = sum(n for s, n in statuses.items() if s in GATEWAY_TIMEOUTS)
    return "latency_shift" in kinds or "timeout" in signals.codes or timeouts * 2 > sum(statuses.values()) > 0


def transient_vote(errors: Counter[str]) -> Cause | None:
    """Throttling or an outage, when failures of both kinds are mixed (a provider's incident answers 503 to
    most calls and 429 to some): the wording more failed events carry. None when one kind is absent."""
    outage = sum(n for e, n in errors.items() if _TIMEOUT_WORDS.search(e) and not _RATE_WORDS.search(e))
    rate = sum(n for e, n in errors.items() if _RATE_WORDS.search(e) and not _TIMEOUT_WORDS.search(e))
    if not outage or not rate:
        return None
    return Cause.upstream_outage if outage >= rate else Cause.rate_limit


def _rule_cause(kinds: set[str], statuses: Counter[int], text: str, signals: Signals,
                polling: bool = False, errors: Counter[str] | None = None,
                backlog: bool = False) -> CauseVerdict | None:
    failures = sum(statuses.values())
    if "duplicate_delivery" in kinds and receiver_was_slow(kinds, statuses, signals):
        # the duplicates are the effect; the receiver's slowness made the sender redeliver (the merge still
        # follows from the duplicate records, whatever the cause)
        return CauseVerdict(Cause.upstream_outage, 0.85, "rule:redelivery-after-timeout")
    if "duplicate_delivery" in kinds or "duplicate_cluster" in kinds:
        return CauseVerdict(Cause.data_quality, 0.95, "rule:duplicate")
    settled = signal_cause(signals)
    if settled is not None:
        return settled
    if "latency_shift" in kinds and not kinds & _ERROR_KINDS:
        return CauseVerdict(Cause.upstream_outage, 0.8, "rule:latency-shift")
    if kinds & {"silent_flow", "volume_drop"} and not kinds & _ERROR_KINDS and failures == 0:
        if _SCHEMA_MISMATCH.search(text):  # the flow died on the error it logged last: its target's schema
            return CauseVerdict(Cause.schema_validation, 0.8, "rule:silence-on-schema-mismatch")
        if backlog:  # the missed messages came in a burst: the sender's queue stalled, no subscription was lost
            return CauseVerdict(Cause.upstream_outage, 0.75, "rule:silence-then-backlog")
        if polling:  # nobody on the other side can stop our poller: it hung or its host is down
            return CauseVerdict(Cause.upstream_outage, 0.65, "rule:silent-poller")
        # a pushed or scheduled flow that falls silent has lost its subscription, webhook or schedule
        return CauseVerdict(Cause.configuration, 0.8, "rule:silent-flow")
    dominant = dominant_status_cause(statuses)
    if dominant is not None and dominant[0] == Cause.schema_validation and signals.exception in TRANSIENT:
        dominant = None  # a 409 that is a lock / serialization failure is transient, not bad data
    if dominant is not None:
        cause, share = dominant
        if cause != Cause.credential_auth or _CRED_WORDS.search(text) or share >= 0.8:
            name = {Cause.credential_auth: "http-401", Cause.rate_limit: "http-429", Cause.upstream_outage: "http-5xx",
                    Cause.configuration: "http-410", Cause.schema_validation: "http-422"}[cause]
            return CauseVerdict(cause, round(0.75 + 0.2 * share, 3), f"rule:{name}")
    if "retry_storm" in kinds and _RATE_WORDS.search(text):
        return CauseVerdict(Cause.rate_limit, 0.9, "rule:retry-storm-rate")
    by_exception = exception_cause(signals)
    if by_exception is not None:
        return by_exception
    if _SCHEMA_WORDS.search(text):
        return CauseVerdict(Cause.schema_validation, 0.85, "rule:validation")
    if _UNSUPPORTED_FORMAT.search(text):
        return CauseVerdict(Cause.schema_validation, 0.8, "rule:unsupported-format")
    mixed = transient_vote(errors) if errors else None
    if mixed is not None:
        return CauseVerdict(mixed, 0.75, "rule:transient-vote")
    if _TIMEOUT_WORDS.search(text):
        return CauseVerdict(Cause.upstream_outage, 0.8, "rule:timeout")
    if _CONFIG_WORDS.search(text):
        return CauseVerdict(Cause.configuration, 0.75, "rule:config-words")
    if _RATE_WORDS.search(text):
        return CauseVerdict(Cause.rate_limit, 0.75, "rule:rate-words")
    if _DUP_WORDS.search(text):
        return CauseVerdict(Cause.data_quality, 0.75, "rule:duplicate-words")
    if _CRED_WORDS.search(text) and re.search(
            r"(?i)invalid|expired|revoked|denied|unauthori|failed|bad credentials|returned false|missing|malformed", text):
        return CauseVerdict(Cause.credential_auth, 0.75, "rule:credential-words")
    return None


# --------------------------------------------------------------------------- model


def read_examples(path: Path = EXAMPLES_CSV) -> tuple[list[str], list[str]]:
    texts, labels, _ = read_examples_with_templates(path)
    return texts, labels


def read_examples_with_templates(path: Path = EXAMPLES_CSV) -> tuple[list[str], list[str], list[str]]:
    """Texts, causes and the template each example was written from (its family of wordings)."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return ([r["text"] for r in rows], [r["cause"] for r in rows],
            [r.get("template") or r["text"] for r in rows])


def build_pipeline() -> Pipeline:
    features = FeatureUnion([
        ("words", TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True, lowercase=True,
                                  token_pattern=r"(?u)\b\w+\b")),
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True)),
    ])
    return Pipeline([("features", features),
                     ("clf", LogisticRegression(max_iter=2000, C=8.0, class_weight="balanced"))])


def evaluate_holdout(path: Path = EXAMPLES_CSV, *, test_size: float = 0.25, seed: int = 0) -> dict[str, Any]:
    """Accuracy on held-out examples, two ways: a stratified random split, and a split by template
    (whole families of wordings unseen in training: the honest figure for new error texts)."""
    texts, labels, templates = read_examples_with_templates(path)
    x_tr, x_te, y_tr, y_te = train_test_split(texts, labels, test_size=test_size, random_state=seed, stratify=labels)
    pipe = build_pipeline().fit(x_tr, y_tr)
    random_acc = float(accuracy_score(y_te, pipe.predict(x_te)))
    splitter = GroupShuffleSplit(n_splits=5, test_size=test_size, random_state=seed)
    grouped, full = [], []
    for tr, te in splitter.split(texts, labels, groups=templates):
        model = build_pipeline().fit([texts[i] for i in tr], [labels[i] for i in tr])
        truth, guessed = [labels[i] for i in te], list(model.predict([texts[i] for i in te]))
        grouped.append(accuracy_score(truth, guessed))
        # the whole classifier: structured signals and rules first, this split's model for the rest
        settled = [rule_cause([], _statuses_in(texts[i]), texts[i]) for i in te]
        full.append(accuracy_score(truth, [str(v.cause) if v else g for v, g in zip(settled, guessed, strict=True)]))
    return {"examples": len(texts), "templates": len(set(templates)), "train": len(x_tr), "test": len(x_te),
            "accuracy": random_acc, "unseen_template_accuracy": float(sum(grouped) / len(grouped)),
            "unseen_template_accuracy_with_signals": float(sum(full) / len(full))}


def retrain(path: Path = EXAMPLES_CSV, out: Path = MODEL_PATH) -> dict[str, Any]:
    """Refit on every example, write the joblib, and return the held-out figure for the record."""
    report = evaluate_holdout(path)
    texts, labels = read_examples(path)
    pipe = build_pipeline().fit(texts, labels)
    out.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(pipe, out)
    load_model.cache_clear()
    return {**report, "model_path": str(out)}


@lru_cache(maxsize=1)
def load_model() -> Pipeline:
    if not MODEL_PATH.exists():
        retrain()
    return joblib.load(MODEL_PATH)


def model_cause(text: str) -> CauseVerdict:
    if not text.strip():
        return CauseVerdict(Cause.unknown, 0.0, "none")
    model = load_model()
    probs = model.predict_proba([text])[0]
    best = int(probs.argmax())
    cause = Cause(model.classes_[best])
    return CauseVerdict(cause, float(probs[best]), "model", retry_safe(cause, read_signals(text)), read_signals(text))


def classify(kinds: Iterable[str], statuses: Counter[int], text: str,
             operations: Iterable[str] = (), errors: Counter[str] | None = None,
             backlog: bool = False) -> CauseVerdict:
    """Rules when they are sure; otherwise the model; `unknown` when the model is unsure."""
    kinds = list(kinds)
    verdict = rule_cause(kinds, statuses, text, operations, errors, backlog)
    if verdict is not None:
        return verdict
    guess = model_cause(text)
    if guess.confidence < 0.3:
        return CauseVerdict(Cause.unknown, guess.confidence, "model", False, guess.signals)
    return guess


_HTTP_STATUS = re.compile(r"(?i)(?:\bhttp[ /]?(?:status)?[ :=]*|\bstatus[ :=]+|^|\s)([1-5]\d\d)\b")


#: An HTTP status an error text names unmistakably: "HTTP 401", "status 429", python requests' "429 Client
#: Error: Too Many Requests for url", a code before its reason phrase ("503 Service Unavailable").
_NAMED_STATUS = re.compile(
    r"(?i)\bHTTP(?:/\d(?:\.\d)?)?[ :#]*([45]\d\d)\b|\bstatus(?:[ _-]?code)?[ :=]+([45]\d\d)\b"
    r"|\b([45]\d\d) (?:Client|Server) Error\b"
    r"|\b([45]\d\d) (?:Bad Request|Unauthorized|Forbidden|Not Found|Conflict|Gone|Unprocessable Entity|"
    r"Too Many Requests|Internal Server Error|Bad Gateway|Service Unavailable|Gateway Time-?out)\b")


def statuses_named(errors: Counter[str]) -> Counter[int]:
    """HTTP statuses the failed events' error texts name (one per text, weighted by its count), for events
    whose format has no status field (a queue.job's exc_info, an Odoo log traceback): the status the other
    side answered is the same structured fact whichever field carried it."""
    out: Counter[int] = Counter()
    for error, n in errors.items():
        m = _NAMED_STATUS.search(error)
        if m:
            out[int(next(g for g in m.groups() if g))] += n
    return out


def _statuses_in(text: str) -> Counter[int]:
    return Counter(int(m) for m in _HTTP_STATUS.findall(text) if 400 <= int(m) < 600)


def classify_text(text: str) -> CauseVerdict:
    """One free-text error (a batch row, a log line): HTTP statuses are read from the text itself."""
    return classify([], _statuses_in(text), text)
