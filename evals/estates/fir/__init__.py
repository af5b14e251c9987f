"""fir: blind estate (Calder Bruce Partners, Melbourne). Docstring being written."""
