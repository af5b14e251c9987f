"""The bottom layer: domain model, typed stage results, errors, settings, ids and clock. Imports nothing else of the project."""
