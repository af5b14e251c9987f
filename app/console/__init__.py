"""The Streamlit review console: `triage console` runs `streamlit run app/console/main.py`."""
