"""Structured interviews: the kit model and loader, and the kits shipped beside it as YAML."""
