"""The shipped cause model (cause_model.joblib): a package so it ships in the wheel."""
