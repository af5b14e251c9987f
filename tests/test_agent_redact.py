from odoo_triage.agent.redact import redact, redact_obj


def test_secrets_are_masked():
    cases = {
        "Authorization: Bearer abc.def-123": "abc.def-123",
        "headers={'Authorization': 'Basic dXNlcjpwYXNzd29yZA=='}": "dXNlcjpwYXNzd29yZA==",
        "GET https://api.example.com/v1?api_key=K3yS3cr3t&page=2": "K3yS3cr3t",
        "db url postgresql://triage:hunter2@db.internal:5432/prod": "hunter2",
        "login failed password=Sup3rSecret! for admin": "Sup3rSecret!",
        '{"api_key": "0123456789abcdef", "user": "bob"}': "0123456789abcdef",
        "client_secret: zzTopSecret99": "zzTopSecret99",
        "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U seen":
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "openai key sk-proj-AAAABBBBCCCCDDDDEEEE1234 leaked": "sk-proj-AAAABBBBCCCCDDDDEEEE1234",
        "x-api-key=abcd1234efgh": "abcd1234efgh",
    }
    for text, secret in cases.items():
        out = redact(text)
        assert secret not in out, (text, out)
        assert "***" in out


def test_harmless_text_is_unchanged():
    for text in ("401 Invalid apikey", "HTTP 429 Too Many Requests", "IBAN does not match SEPA schema",
                 "queue.job 5f0c-aaaa failed", "res.partner:42 and project.project:7"):
        assert redact(text) == text


def test_nested_structures_are_masked():
    out = redact_obj({"a": ["password=x1y2z3"], "b": {"c": "Bearer tok_123456"}, "n": 3})
    assert out == {"a": ["password=***"], "b": {"c": "Bearer ***"}, "n": 3}
