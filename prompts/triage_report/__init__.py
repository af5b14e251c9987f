"""Versions of the triage_report prompt (v1.md, ...): a package so the files ship in the wheel."""
