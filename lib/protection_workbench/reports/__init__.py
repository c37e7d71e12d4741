"""Report building blocks: the tables and summaries the notebooks show.

The notebooks stay thin (parameters, a few calls, tables and charts); the logic is here,
unit-tested, one module per report: :mod:`.case_integrity`, :mod:`.manifest_review`,
:mod:`.referrals` (referrals follow-up), :mod:`.data_quality`, :mod:`.community_hosting`
(with :mod:`.hosting`, :mod:`.hosting_monitoring` and :mod:`.hosting_published`) and the
weekly report (:mod:`.weekly`, :mod:`.weekly_tables`, :mod:`.narrative`); :mod:`.common`
holds what they share. Rule logic is never repeated here: reports call the public functions
of ``rules/`` or take the run's findings.
"""
