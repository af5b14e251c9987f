"""`templates.mask` skips masks whose literals are absent: the same text as drain3's own masker."""

from __future__ import annotations

import random

from drain3 import TemplateMiner

from odoo_triage.detectors.templates import make_config, mask

PIECES = [
    "2024-05-01T10:22:33Z", "2024-05-01 10:22", "2024-05-01", "01/May/2024:10:22:33", "user@example.com",
    "https://api.example.com/v1", "DE89 3704 0044 0532 0130 00", "DE123456789", "SO/2024/0042", "job_1a2b3c4d",
    "0x1f", "deadbeef1234", "10.0.0.1:8069", "EUR 12.50", "12,50 €", "$3", "£4.5", "42", "-3.5", "ABC-12",
    "res.partner(17,)", "timeout", "Record does not exist", "HTTP 502", "uuid 123e4567-e89b-12d3-a456-426614174000",
    'partner "Acme Holdings, Inc."', '{"error": "rate limit hit"}', '"a b"', "CHF", "USD100", "/", ":", "-", "_", ".", "@", "é", "ﬁ", "١٢٣",
]


def test_mask_equals_drain3_masker():
    masker = TemplateMiner(config=make_config()).masker
    rng = random.Random(19)
    for _ in range(4000):
        text = "".join(rng.choice(PIECES) + rng.choice(["", " ", "-", ":", "/"]) for _ in range(rng.randint(1, 7)))
        assert mask(text) == masker.mask(text), text


def test_mask_masks():
    assert mask("invoice 42 for user@example.com at 2024-05-01T10:22:33Z") == "invoice <NUM> for <EMAIL> at <TS>"
