"""Regenerate core/export_labels.json from the real translation files (.po), so the labels are data, not typed.

    python scripts/export_labels_from_po.py --queue QUEUE_GIT --odoo ODOO_GIT:REF:SERIES [--odoo ...]
    python scripts/export_labels_from_po.py ... --check     # exit 1 if the committed JSON differs
    python scripts/export_labels_from_po.py ... --po FILE:LANG:ORIGIN   # a queue_job .po newer than QUEUE_GIT

The committed JSON was made from OCA/queue and three copies of the odoo/odoo tree (its i18n files as Odoo
ships them; the JSON's _about names each source and commit):

    --queue OCA+queue/repo --odoo Coolyce+neudibel_4levels_odoo_18ent/repo:HEAD:18.0 \
    --odoo jnvdx6+skymedic-odoo/repo:HEAD:19.0 --odoo kanchou2420+TTDN-16-06-N4/repo:HEAD:15.0 \
    --po "PT_BR_PO:pt_BR:16.0 queue_job/i18n/pt_BR.po c1e92b67f7d0, PO-Revision-Date 2026-09-28, its field and state labels"

(PT_BR_PO: the field_description and `state` selection entries of that file, verbatim; the git copy predates it.)

QUEUE_GIT is a git directory of OCA/queue (every branch 12.0-18.0 is read: queue_job/i18n/*.po and the .pot);
ODOO_GIT a git directory holding an odoo/odoo tree at REF (its series, e.g. 18.0, orders the sources: the
newest translation is listed first). From each .po only the entries whose references name a field the readers
use (`model:ir.model.fields,field_description:<module>.field_<model>__<field>`), a `state` selection value
(`model:ir.model.fields.selection,name:queue_job.selection__queue_job__state__<value>`) or project's
`%s (copy)` are taken, verbatim, fuzzy ones too (Odoo loads them: odoo/tools/translate.py PoFileReader skips
only obsolete entries), untranslated ones not (Odoo then shows the English label). A label that means two fields (or two
states) of one model in one language keeps the one whose English label it is; across languages every label is
kept, and core/export_labels.py resolves a clash (English wins; tests/test_export_labels.py lists them).
scripts/export_labels_aliases.json holds what no .po has (custom project-code fields, abbreviations seen in
real exports): merged in as it is.

`--po FILE:LANG:ORIGIN` adds one queue_job translation newer than the git copy holds (a tip's .po, or its
entries the readers use, verbatim), listed before every branch: OCA/queue 16.0 pt_BR.po was retranslated
in 2026 (Done is "Concluída", no longer "Pronto"), and Odoo 16+ exports write the new labels.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from odoo_triage.core.export_labels import label_key as _key

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "core" / "export_labels.json"
ALIASES = Path(__file__).with_name("export_labels_aliases.json")
QUEUE_BRANCHES = ("18.0", "17.0", "16.0", "15.0", "14.0", "13.0", "12.0", "11.0", "10.0")  # newest first

#: the fields the readers use, most needed first (a label one language gives two of them goes to the first;
#: the queue.job reader reads record_ids and records alike)
QUEUE_FIELDS = ["args", "channel", "company_id", "channel_method_name", "date_created", "retry", "date_cancelled",
                "date_done", "name", "date_enqueued", "exc_name", "exc_info", "exc_message", "eta", "exec_time",
                "graph_uuid", "identity_key", "job_function_id", "kwargs", "max_retries", "method_name",
                "model_name", "priority", "record_ids", "records", "result", "date_started", "state", "func_string",
                "uuid", "user_id", "worker_pid"]
PARTNER_FIELDS = {"id": "id", "name": "name", "display_name": "name", "email": "email", "phone": "phone",
                  "mobile": "mobile", "vat": "vat", "company_registry": "company_registry", "ref": "ref",
                  "street": "street", "city": "city", "zip": "zip", "country_id": "country_id",
                  "state_id": "state_id", "is_company": "is_company", "parent_id": "parent_id",
                  "commercial_partner_id": "commercial_partner_id", "active": "active",
                  "create_date": "create_date", "write_date": "write_date",
                  "l10n_latam_identification_type_id": "l10n_latam_identification_type_id"}
PROJECT_FIELDS = {"id": "id", "name": "name", "display_name": "name", "partner_id": "partner_id",
                  "user_id": "user_id", "company_id": "company_id", "date_start": "date_start", "date": "date",
                  "active": "active", "create_date": "create_date", "write_date": "write_date"}
#: (model, module whose .po holds its labels, reference prefix, fields)
ODOO_MODULES = [("res.partner", "base", "base.field_res_partner__", PARTNER_FIELDS),
                ("res.partner", "l10n_latam_base", "l10n_latam_base.field_res_partner__", PARTNER_FIELDS),
                ("project.project", "project", "project.field_project_project__", PROJECT_FIELDS)]
FIELD_REF = "model:ir.model.fields,field_description:"
#: `queue_job.field_queue_job__uuid`; before 12.0 `queue_job.field_queue_job_uuid`, in 9.0 `connector.…`
QUEUE_FIELD_REF = re.compile(FIELD_REF.replace(".", r"\.") + r"(?:queue_job|connector)\.field_queue_job__?(\w+)")
STATE_REF = "model:ir.model.fields.selection,name:queue_job.selection__queue_job__state__"


@dataclass
class Entry:
    msgid: str = ""
    msgstr: str = ""
    refs: list[str] = field(default_factory=list)
    context: str = ""


def _unquote(text: str) -> str:
    body = text.strip()[1:-1]
    return re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t", "r": "\r"}.get(m.group(1), m.group(1)), body)


def parse_po(text: str) -> list[Entry]:
    """The entries of a .po file (plural forms are skipped: no field label has one)."""
    entries: list[Entry] = []
    cur, key = Entry(), ""

    def close() -> None:
        nonlocal cur, key
        if cur.msgid or cur.refs:
            entries.append(cur)
        cur, key = Entry(), ""

    for line in text.splitlines():
        s = line.strip()
        if not s:
            close()
        elif s.startswith("#:"):
            if key:
                close()
            cur.refs.extend(s[2:].split())
        elif s.startswith("#"):  # `#,` flags too: Odoo loads fuzzy entries as well
            if key:
                close()
        elif s.startswith(("msgctxt ", "msgid ", "msgstr ")):
            word, _, rest = s.partition(" ")
            if word in ("msgctxt", "msgid") and key in ("msgstr",):
                close()
            key = word
            setattr(cur, {"msgctxt": "context"}.get(word, word), _unquote(rest))
        elif s.startswith(("msgid_plural", "msgstr[")):
            key = "plural"
        elif s.startswith('"') and key in ("msgctxt", "msgid", "msgstr"):
            name = {"msgctxt": "context"}.get(key, key)
            setattr(cur, name, getattr(cur, name) + _unquote(s))
    close()
    return entries


def _git(gitdir: Path, *args: str) -> str:
    return subprocess.run(["git", "--git-dir", str(gitdir), *args], check=True, capture_output=True,
                          text=True, encoding="utf-8").stdout


@dataclass
class Source:
    """The .po files of one module at one version: (language -> text), the .pot as language "en"."""

    origin: str
    module: str
    files: dict[str, str]


def queue_sources(gitdir: Path) -> list[Source]:
    out = []
    branches = set(_git(gitdir, "for-each-ref", "--format=%(refname:short)").split())
    for branch in QUEUE_BRANCHES:
        if branch not in branches:
            continue
        commit = _git(gitdir, "rev-parse", branch).strip()
        names = _git(gitdir, "ls-tree", "--name-only", f"{branch}:queue_job/i18n/").split()
        files = {("en" if n.endswith(".pot") else n[:-3]): _git(gitdir, "show", f"{branch}:queue_job/i18n/{n}")
                 for n in names if n.endswith((".po", ".pot"))}
        out.append(Source(f"OCA/queue {branch} ({commit[:12]})", "queue_job", files))
    # languages no branch has any more (the connector-era files of queue.job): their newest version in history
    tips = {lang for src in out for lang in src.files}
    names = sorted(set(_git(gitdir, "log", "--all", "--name-only", "--format=", "--", "queue_job/i18n/*.po").split()))
    for name in names:
        lang = name.rsplit("/", 1)[1][:-3]
        if lang in tips:
            continue
        commit = _git(gitdir, "log", "--all", "-1", "--format=%H", "--diff-filter=AM", "--", name).strip()
        out.append(Source(f"OCA/queue {lang} ({commit[:12]}, history)", "queue_job",
                          {lang: _git(gitdir, "show", f"{commit}:{name}")}))
    return out


def po_source(spec: str) -> Source:
    """FILE:LANG:ORIGIN -> one queue_job translation given as a file (newer than the git copy holds)."""
    path, lang, origin = spec.split(":", 2)
    return Source(f"OCA/queue {lang} ({origin})", "queue_job", {lang: Path(path).read_text(encoding="utf-8")})


def odoo_sources(spec: str) -> list[Source]:
    """GITDIR:REF:SERIES -> the base, l10n_latam_base and project translations of that tree."""
    gitdir, ref, series = spec.rsplit(":", 2)
    commit = _git(Path(gitdir), "rev-parse", ref).strip()
    paths = _git(Path(gitdir), "ls-tree", "-r", "--name-only", ref).splitlines()
    out = []
    for module in dict.fromkeys(m for _model, m, _p, _f in ODOO_MODULES):
        # the community tree's own copy: `addons/<module>/i18n/` or `odoo/addons/base/i18n/`, never enterprise's
        folders = sorted({p.rsplit("/", 1)[0] for p in paths
                          if re.fullmatch(rf"(odoo/)?addons/{module}/i18n/[^/]+\.pot?", p)}, key=len)
        if not folders:
            continue
        names = [p for p in paths if p.rsplit("/", 1)[0] == folders[0] and p.endswith((".po", ".pot"))]
        files = {("en" if p.endswith(".pot") else p.rsplit("/", 1)[1][:-3]): _git(Path(gitdir), "show", f"{ref}:{p}")
                 for p in names}
        out.append(Source(f"odoo {series} {module} ({_repo_name(Path(gitdir))} {commit[:12]}, {folders[0]})", module,
                          files))
    return out


def _repo_name(gitdir: Path) -> str:
    """`owner/name` of a fetched copy (`.../owner+name/repo`), else the folder's name."""
    folder = gitdir.parent if gitdir.name in ("repo", ".git") else gitdir
    return folder.name.replace("+", "/")


def _add(table: dict[str, dict[str, list[str]]], lang: str, label: str, value: str) -> None:
    label = label.strip()
    if label and value not in table[lang].setdefault(label, []):
        table[lang][label].append(value)


def collect(queue: list[Source], odoo: list[Source]) -> dict[str, Any]:
    """model -> fields / selection / copy_suffix, every language, newest source first."""
    fields: dict[str, dict[str, dict[str, list[str]]]] = defaultdict(lambda: defaultdict(dict))
    states: dict[str, dict[str, list[str]]] = defaultdict(dict)
    suffix: dict[str, str] = {}
    legacy: list[tuple[str, str, str]] = []
    for src in queue:
        for lang, text in src.files.items():
            for e in parse_po(text):
                label = e.msgid if lang == "en" else e.msgstr
                if e.context or not label:
                    continue
                for ref in e.refs:
                    m = QUEUE_FIELD_REF.fullmatch(ref)
                    if m and m.group(1) in QUEUE_FIELDS:
                        _add(fields["queue.job"], lang, label, m.group(1))
                    elif ref.startswith(STATE_REF):
                        _add(states, lang, label, ref[len(STATE_REF):])
                    elif ref.startswith("selection:queue.job,state:") and lang != "en":
                        legacy.append((lang, e.msgid, label))
    for src in odoo:
        for model, module, prefix, wanted in ODOO_MODULES:
            if module != src.module:
                continue
            for lang, text in src.files.items():
                for e in parse_po(text):
                    label = e.msgid if lang == "en" else e.msgstr
                    if e.context or not label:
                        continue
                    for ref in e.refs:
                        if ref.startswith(FIELD_REF + prefix) and ref.rsplit("__", 1)[1] in wanted:
                            _add(fields[model], lang, label, wanted[ref.rsplit("__", 1)[1]])
                    if module == "project" and e.msgid == "%s (copy)" and lang not in suffix:
                        suffix[lang] = label.replace("%s", "").strip()
    return {"fields": fields, "states": states, "suffix": suffix, "legacy_states": legacy, "notes": []}


def per_language(table: dict[str, dict[str, list[str]]], english: dict[str, str], order: list[str], what: str,
                 notes: list[str]) -> dict[str, dict[str, str]]:
    """label -> one value per language. One label for two fields in one language (Slovak `Štát` for both
    Country and State) keeps the field whose English label it is, else the one first in `order` (the fields
    matching needs most first); printed as a note. Labels that mean different fields in different languages
    are kept: core/export_labels.py resolves them."""
    rank = {v: i for i, v in enumerate(order)}
    out: dict[str, dict[str, str]] = {}
    for lang in sorted(table, key=lambda k: (k != "en", k)):
        for label, values in table[lang].items():  # newest source first
            key = _key(label)
            if not key:
                continue
            value = values[0]
            if len(values) > 1:
                value = english[key] if english.get(key) in values else min(values, key=lambda v: rank.get(v, 99))
                notes.append(f"{what} {lang} {label!r} means {', '.join(values)}: kept {value}")
            out.setdefault(lang, {})[label] = value
    return out


def build(queue: list[Source], odoo: list[Source]) -> dict[str, Any]:
    got = collect(queue, odoo)
    aliases: dict[str, Any] = json.loads(ALIASES.read_text(encoding="utf-8"))
    for model, kinds in aliases.items():
        if model.startswith("_"):
            continue
        for lang, labels in kinds.get("fields", {}).items():
            for label, value in labels.items():
                _add(got["fields"][model], lang, label, value)
        for lang, labels in kinds.get("selection", {}).get("state", {}).items():
            for label, value in labels.items():
                _add(got["states"], lang, label, value)
    data: dict[str, Any] = {"_about": ABOUT + " Sources: " + "; ".join(s.origin for s in [*queue, *odoo]) + "."}
    notes: list[str] = got["notes"]
    for model in ("queue.job", "res.partner", "project.project"):
        table = got["fields"][model]
        english = {_key(label): vs[0] for label, vs in table.get("en", {}).items()}
        order = {"queue.job": QUEUE_FIELDS, "res.partner": list(PARTNER_FIELDS.values()),
                 "project.project": list(PROJECT_FIELDS.values())}[model]
        data[model] = {"fields": per_language(table, english, order, model, notes)}
    english = {_key(label): vs[0] for label, vs in got["states"].get("en", {}).items()}
    for lang, msgid, msgstr in got["legacy_states"]:  # 12.0: `selection:queue.job,state:N`, by English label
        if _key(msgid) in english:
            _add(got["states"], lang, msgstr, english[_key(msgid)])
    data["queue.job"]["selection"] = {"state": per_language(got["states"], english, [], "queue.job state", notes)}
    suffix = dict(got["suffix"])
    suffix.update(aliases.get("project.project", {}).get("copy_suffix", {}))
    data["project.project"]["copy_suffix"] = dict(sorted(suffix.items(), key=lambda kv: (kv[0] != "en", kv[0])))
    data["_notes"] = notes
    return data


ABOUT = ("Column headers and selection labels as Odoo's export dialog writes them (non import-compatible "
         "export), per language (the .po file's name), mapped to technical names. Generated by "
         "scripts/export_labels_from_po.py, verbatim from the translation files: queue.job from OCA/queue "
         "queue_job/i18n/*.po and queue_job.pot (branches 10.0-18.0, and for a language no branch has any more "
         "its newest file in the history: nl, pt_BR, hu, sl...; field_description of the fields the readers use "
         "and the `state` selection labels); res.partner from odoo/odoo base/i18n/*.po and "
         "l10n_latam_base/i18n/*.po (Identification Number is vat there); project.project from project/i18n/*.po "
         "(fields and copy_suffix: what Duplicate appends, \"%s (copy)\"), read from copies of the odoo/odoo tree "
         "at 15.0, 18.0 and 19.0. Every translation of every version is kept (an older Odoo writes the older "
         "label), newest first; fuzzy msgstr are taken (Odoo loads them), empty ones not: Odoo then shows the "
         "English label. A language with no .po exports the English labels. Labels not in any .po "
         "(scripts/export_labels_aliases.json: custom project code fields, abbreviations seen in real exports) "
         "are merged in. Matching ignores case, accents, punctuation and spacing. A label meaning two fields in "
         "two languages (Polish Kraj: country, Slovenian Kraj: city) is resolved by core/export_labels.py: English "
         "wins, else the language of the export's other headers.")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--queue", type=Path, required=True, help="git directory of OCA/queue")
    ap.add_argument("--odoo", action="append", default=[], help="GITDIR:REF:SERIES of an odoo/odoo tree, newest first")
    ap.add_argument("--po", action="append", default=[],
                    help="FILE:LANG:ORIGIN of a queue_job .po newer than --queue holds, listed first")
    ap.add_argument("--check", action="store_true", help="exit 1 if core/export_labels.json is out of date")
    args = ap.parse_args(argv)
    odoo = [s for spec in sorted(args.odoo, key=lambda s: float(s.rsplit(":", 1)[1]), reverse=True)
            for s in odoo_sources(spec)]
    data = build([*(po_source(spec) for spec in args.po), *queue_sources(args.queue)], odoo)
    notes = data.pop("_notes")
    text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    if args.check:
        same = OUT.read_text(encoding="utf-8") == text
        print("core/export_labels.json is up to date" if same else "core/export_labels.json is out of date")
        return 0 if same else 1
    OUT.write_text(text, encoding="utf-8")
    langs = {m: len(data[m]["fields"]) for m in ("queue.job", "res.partner", "project.project")}
    for note in notes:
        print(note)
    print(f"wrote {OUT.relative_to(ROOT)}: languages {langs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
