"""Every secret shape of the corpus (tests/data/secrets/corpus.jsonl) is masked by the one redaction."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from odoo_triage.core.redact import MASK, redact, redact_obj

CORPUS = [json.loads(line) for line in (Path(__file__).parent / "data" / "secrets" / "corpus.jsonl")
          .read_text().splitlines() if line.strip()]


def test_corpus_covers_the_issue_shapes():
    shapes = {c["shape"] for c in CORPUS}
    for needed in ("odoo_api_key_hex40", "card_number", "jsonrpc_execute_kw_password", "aws_secret_access_key",
                   "google_api_key", "json_pass", "azure_sas_sig", "pem_private_key", "session_cookie",
                   "slack_webhook", "userinfo_without_scheme", "url_password_with_at", "url_encoded_password",
                   "jwt", "bearer", "basic_auth", "openai_sk_key", "database_url"):
        assert needed in shapes


@pytest.mark.parametrize("case", CORPUS, ids=[c["shape"] for c in CORPUS])
def test_each_shape_is_masked(case):
    assert case["secret"] in case["text"]
    out = redact(case["text"])
    assert case["secret"] not in out, out
    assert MASK in out
    assert redact(out) == out  # idempotent: masking twice changes nothing


def test_ordinary_text_survives():
    for text in ("401 Invalid apikey", "HTTP 429 Too Many Requests", "IBAN does not match SEPA schema",
                 "queue.job 5f0c-aaaa failed", "res.partner:42 and project.project:7", "passenger count 3",
                 "order 1234567 amount 99.50", "payload hash 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                 "contact ada@example.com", "employee 296 has no contract", "tokenizer failed at 12:30",
                 "queue.job:21a57327-97c5-4a92-abb7-272861859534", "job 21a57327-97c5-4a92-abb7-272861859534 failed",
                 "commit 3f2b9c1d7e4a5b6c8d9e0f1a2b3c4d5e6f7a8b9c-dirty", "res.partner:4111111111111111",
                 "epoch 1790000000123 ms"):
        assert redact(text) == text, text


def test_values_under_secret_keys_are_masked_whole():
    out = redact_obj({"password": "x", "nested": [{"api_key": "short"}], "note": "password=abc123", "n": 3})
    assert out == {"password": MASK, "nested": [{"api_key": MASK}], "note": f"password={MASK}", "n": 3}
