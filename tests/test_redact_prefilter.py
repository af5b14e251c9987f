"""The literal pre-check in `redact` skips only patterns that cannot match: same output as every pattern."""

from __future__ import annotations

import json
import random
from pathlib import Path

from odoo_triage.core.redact import redact, redact_every_pattern

CORPUS = Path(__file__).parent / "data" / "secrets" / "corpus.jsonl"

PIECES = [
    "Authorization: Bearer abc.def", "cookie=sid=1", "token=abc123", "password: 'hunter2'", "PASSWORD=x",
    "https://user:pa@ss@host.example.com/x", "deploy:s3cret@db.internal.example", "?sv=1&sig=abc%2F",
    "eyJhbGciOi.eyJzdWIiOi.SflKxwRJSM", "sk-abcdefghijklmnop1234", "ghp_" + "a" * 24, "AKIAABCDEFGHIJKLMNOP",
    "AIza" + "b" * 35, "sk_live_abcdefghijkl", "4111 1111 1111 1111", "3f2b9c1d7e4a5b6c8d9e0f1a2b3c4d5e6f7a8b9c",
    "Basic dXNlcjpwYXNz", "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----",
    '["prod", 2, "pw", "res.partner", "read"]', "login(['db', 'admin', 'pw'])", "api%3Dkey", "X-Api-Key: k1",
    "hooks.slack.com/services/T0/B0/xyz", "xoxb-1234567890-abc", "passenger", "tokenizer", "order SO/2024/0042",
    "timeout after 30s", "é", "İ", "ſecret=1", "KEY", ":", "@", ",", "'", '"', "=", " ", "(", "[",
]


def test_corpus_same_as_every_pattern():
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        text = json.loads(line)["text"]
        assert redact(text) == redact_every_pattern(text)


def test_random_mixes_same_as_every_pattern():
    rng = random.Random(19)
    for _ in range(3000):
        text = "".join(rng.choice(PIECES) + rng.choice(["", " ", "=", ":", "-", "_"]) for _ in range(rng.randint(1, 6)))
        assert redact(text) == redact_every_pattern(text), text


def test_pre_check_still_masks():
    assert "hunter2" not in redact("login failed password: hunter2 for admin")
    assert "S3cr3t" not in redact("retrying with API_KEY=S3cr3t")
