"""Report building blocks: the tables and summaries the notebooks show.

The notebooks stay thin (parameters, a few calls, tables and charts); the logic is here,
unit-tested. :mod:`.integrity` backs the checking notebooks (case integrity, manifest
review, referrals follow-up).
"""
