"""Error templates: variable parts collapse, ids are stable, the miner is reusable."""

from __future__ import annotations

from odoo_triage.detectors.templates import TemplateMinerCache, mask, mine_templates, signature_id


def test_variable_parts_collapse_into_few_signatures():
    cache = TemplateMinerCache()
    msgs = []
    for i in range(2000):
        msgs.append(f"410 Gone: API version v2 is no longer supported; use /v3 (request_id=req_{i * 7919:010x})")
        msgs.append(f"ValidationError: Invalid email address 'user{i}@@acme.example' for partner {i}")
        msgs.append(f"odoo.exceptions.ValidationError: The IBAN of employee {i} does not match the SEPA schema")
        msgs.append(f"ValidationError: Timesheet of employee {i} on 2026-10-{i % 28 + 1:02d} exceeds 24 hours ({i}.5 h)")
        msgs.append(f"UserError: Invoice INV/2026/{i:05d} of EUR 1,{i:03d}.50 has no bank account "
                    f"for 5f0c{i:04d}-aaaa-bbbb-cccc-000000000001")
    sigs = {cache.signature(m) for m in msgs}
    assert len(sigs) == 5
    templates = cache.templates()
    assert sum(n for _, n in templates.values()) == len(msgs)
    texts = {t for t, _ in templates.values()}
    assert "ValidationError: Invalid email address '<EMAIL>' for partner <NUM>" in texts
    assert any("<REF>" in t and "<AMOUNT>" in t and "<UUID>" in t for t in texts)


def test_signature_ids_are_stable_and_distinct():
    a = TemplateMinerCache().signature("LockError: could not obtain lock on hr.employee(12,)")
    b = TemplateMinerCache().signature("LockError: could not obtain lock on hr.employee(99,)")
    assert a == b == signature_id("LockError: could not obtain lock on hr.employee(<NUM>,)")
    assert a != TemplateMinerCache().signature('{"name":"werkzeug.exceptions.Unauthorized","message":"Invalid apikey"}')


def test_tracebacks_are_templated_by_their_first_line_and_cached():
    cache = TemplateMinerCache()
    m = "429 Too Many Requests (attempt 1/3)\nTraceback (most recent call last):\n  File x"
    c1 = cache.cluster_of(m)
    assert cache.cluster_of(m) == c1 and cache.counts[c1] == 2
    assert cache.template(c1) == "<NUM> Too Many Requests (attempt <NUM>/<NUM>)"


def test_mine_templates_one_per_message():
    out = mine_templates(["VAT BE0477472701 invalid for partner 4", "VAT NL123456789B01 invalid for partner 5", ""])
    assert out[0] == out[1] == "VAT <VAT> invalid for partner <NUM>"
    assert len(out) == 3


def _direct(messages: list[str]) -> list[str]:
    """Templates with the digit-shape cache emptied before every message (each masked afresh)."""
    cache = TemplateMinerCache()
    out = []
    for m in messages:
        cache._shape.clear()
        out.append(cache.cluster_of(m))
    return [cache.template(c) for c in out]


def test_digit_shape_cache_gives_the_templates_of_masking_every_message():
    msgs = []
    for i in range(1, 400):
        msgs += [f"Invoice INV/2026/{i:05d} has no partner bank account",
                 f"Amount {i * 37}.{i % 100:02d} EUR of account.move({40000 + i},) does not match ledger",
                 f"timeout after {i}s on host10{i % 9}.example",  # a digit a mask keeps: never shared
                 f"token%3D{i}abc rejected",  # URL-encoded separator: digit-sensitive
                 f"Basic dXNlcjpw{i % 10}YXNz refused",  # base64 decoded by the redaction
                 f"card 4111 1111 1111 {1111 + i} declined",  # Luhn over 13+ digits
                 f"code 0x{i:x}f and v{i % 7}"]
    cache = TemplateMinerCache()
    ids = [cache.cluster_of(m) for m in msgs]
    assert [cache.template(c) for c in ids] == _direct(msgs)
    assert cache._shape  # the cache was used


def test_a_quoted_name_of_any_word_count_keeps_one_signature():
    """drain3 groups by token count: a record name quoted in the error must not split the template."""
    cache = TemplateMinerCache()
    names = ["Saint Anne Medical Center", "Midland Medical Associates Holdings, Inc.", "Acme Pty Ltd"]
    sigs = {cache.signature(f'Customer ID missing on partner "{n}" ({i}): set the id on the partner.')
            for i, n in enumerate(names)}
    assert len(sigs) == 1
    # a JSON value keeps its words: it is the message, not a name
    assert 'rate limit hit' in mask('Response {"error": "rate limit hit"}')
