"""Item types, banks and their loader: pure, no Flask and no database."""
