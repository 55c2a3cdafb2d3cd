"""Pure integrity signals: observations of an attempt in, explained signals and a tier out.

No Flask, no database, no clock and no path to scores: a signal is a prompt for a
conversation with the candidate, never a change to what they scored.
"""
