"""Indicators of config/indicators.yaml: each computation of the catalogue against the
generator's clean truth on two seeds (recomputed here plainly, record by record where the
rule is subtle), cumulative values as the sum of their months, % of target and status,
projects outside the period, and configuration errors naming file and key."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from protection_workbench.clean.load import load_export
from protection_workbench.config import ConfigError, get_config
from protection_workbench.dates import parse_month, parse_period, parse_quarter, period_label
from protection_workbench.errors import WorkbenchError
from protection_workbench.indicators import (
    CATALOGUE,
    evaluate,
    get_indicators,
    load_indicators,
    percent_of_target,
    project_window,
    status_of,
)
from protection_workbench.paths import project_root
from protection_workbench.synth.generate import generate_demo_exports, load_truth

AS_OF = date(2026, 11, 24)
Q3 = (date(2026, 7, 1), date(2026, 9, 30))
SEEDS = (5, 23)


@pytest.fixture(scope="module", params=SEEDS)
def seeded(request, tmp_path_factory):
    """Demo exports without defects (cleaned values equal the truth), cleaned, and the
    generator's truth, for one seed."""
    out = tmp_path_factory.mktemp(f"period-{request.param}") / "demo"
    generate_demo_exports(out, 2500, request.param, AS_OF, 0.0)
    truth, _, _ = load_truth(out)
    return load_export(out).frames, truth


def _between(values: pd.Series, start: date, end: date) -> pd.Series:
    return values.between(pd.Timestamp(start), pd.Timestamp(end)).fillna(False)


def _departed(truth) -> pd.DataFrame:
    cases = truth["cases"]
    return cases[(cases["case_status"] == "departed") & cases["departure_date"].notna()]


def _expected(truth, start: date, end: date, settings) -> dict[str, tuple]:
    """Each computation's value for start..end from the truth, written plainly: counts, or
    (met, all) for shares."""
    cfg = get_config()
    gone = _departed(truth)
    in_period = gone[_between(gone["departure_date"], start, end)]
    vuln = in_period["vulnerabilities"].fillna("") != ""
    clearance = set(cfg.codes("clearance_vulnerability"))
    needs = in_period[
        in_period["vulnerabilities"].fillna("").map(lambda v: bool(set(v.split(";")) & clearance))
    ]
    cases = truth["cases"]
    refs = truth["referrals"]
    due = refs[_between(refs["follow_up_due"], start, end)]
    in_time = due["follow_up_date"].notna() & (due["follow_up_date"] <= due["follow_up_due"])
    acts = truth["activities"][_between(truth["activities"]["date"], start, end)]
    visits = truth["visits"][_between(truth["visits"]["visit_date"], start, end)]
    return {
        "returns_assisted": (in_period["individual_id"].nunique(),),
        "vulnerable_returns": (int(vuln.sum()),),
        "cleared_before_movement": (
            int((needs["protection_clearance"] == "cleared").sum()),
            len(needs),
        ),
        "counselling_sessions": (
            cases.loc[_between(cases["interview_date"], start, end), "individual_id"].nunique(),
        ),
        "referrals_made": (int(_between(refs["referral_date"], start, end).sum()),),
        "referrals_followed_up_in_time": (int(in_time.sum()), len(due)),
        "nfi_kits_distributed": (
            int(acts.loc[acts["activity_type"] == "nfi_distribution", "items"].fillna(0).sum()),
        ),
        "outreach_sessions": (int((acts["activity_type"] == "outreach_session").sum()),),
        "hosting_placements": (int(_between(truth["placements"]["start_date"], start, end).sum()),),
        "monitoring_visits_compliant": (
            int((visits["compliance"] == "compliant").sum()),
            len(visits),
        ),
        "host_payments_on_time": _payments_on_time(truth, start, end, settings.payment_due_days),
    }


def _payments_on_time(truth, start: date, end: date, due_days: int) -> tuple[int, int]:
    """Host-months with at least one hosted day (to the period's end), due ``due_days``
    after the month's end, and whether a payment for them was made by then: placement by
    placement, month by month."""
    as_of = pd.Timestamp(end)
    rate = truth["hosts"].set_index("host_id")["monthly_rate_lyd"]
    owed = set()
    for row in truth["placements"].itertuples():
        if pd.isna(row.start_date):
            continue
        stop = min(
            row.end_date if pd.notna(row.end_date) else as_of + pd.Timedelta(days=1),
            as_of + pd.Timedelta(days=1),
        )  # exclusive: the exit day is not hosted
        day = row.start_date
        while day < stop:
            if rate.get(row.host_id, 0) > 0:
                owed.add((row.host_id, day.to_period("M")))
            day = (day.to_period("M") + 1).start_time
    paid = truth["payments"].groupby(["host_id", "period"])["paid_date"].min()
    met = n = 0
    for host, month in owed:
        due = month.end_time.normalize() + pd.Timedelta(days=due_days)
        if not (pd.Timestamp(start) <= due <= pd.Timestamp(end)):
            continue
        n += 1
        when = paid.get((host, str(month)))
        met += int(when is not None and when <= due)
    return met, n


def _evaluate(frames, start: date, end: date):
    settings = get_indicators()
    project = settings.project()
    return evaluate(project, frames, start, end, get_config(), settings), settings


def _values(ev) -> dict[str, tuple]:
    out = {}
    for res in ev.results:
        if res.computation.kind == "share":
            out[res.indicator.computation] = (res.numerator, res.denominator)
        else:
            out[res.indicator.computation] = (int(round(res.value)),)
    return out


@pytest.mark.parametrize(
    "period", [Q3, parse_month("2026-10"), (date(2026, 2, 10), date(2026, 5, 3))]
)
def test_every_computation_matches_the_truth(seeded, period):
    frames, truth = seeded
    ev, settings = _evaluate(frames, *period)
    got = _values(ev)
    expected = _expected(truth, *period, settings)
    assert set(got) == set(CATALOGUE)  # the example project uses every computation
    for name in CATALOGUE:
        assert got[name] == expected[name], name
    # not trivially zero: the demo data exercise each computation in a quarter
    if period == Q3:
        assert all(v[-1] > 0 for v in expected.values()), expected


def test_returns_broken_down_add_up_to_the_total(seeded):
    frames, truth = seeded
    ev, _ = _evaluate(frames, *Q3)
    returns = next(r for r in ev.results if r.indicator.computation == "returns_assisted")
    total = int(returns.value)
    for dim in ("sex", "age_band", "nationality", "location_type"):
        assert int(returns.by[dim]["value"].sum()) == total, dim
    gone = _departed(truth)
    women = gone[_between(gone["departure_date"], *Q3) & (gone["sex"] == "F")]
    assert int(returns.by["sex"].loc["Female", "value"]) == len(women)


def test_cumulative_is_the_sum_of_the_months(seeded):
    frames, _ = seeded
    ev, _ = _evaluate(frames, *Q3)
    project = ev.project
    for res in ev.results:
        months = res.monthly
        assert months.index[0] == f"{project.start:%Y-%m}" and months.index[-1] == "2026-09"
        if res.computation.kind == "share":
            met, n = int(months["met"].sum()), int(months["n"].sum())
            assert res.cumulative == pytest.approx(100 * met / n)
            last3 = months.tail(3)
            assert (res.numerator, res.denominator) == (last3["met"].sum(), last3["n"].sum())
        else:
            assert res.cumulative == pytest.approx(months["value"].sum())
            assert res.value == pytest.approx(months["value"].tail(3).sum())


def test_percent_of_target_at_zero_partial_and_over_the_target():
    assert percent_of_target(0, 24000) == 0
    assert percent_of_target(6000, 24000) == 25
    assert percent_of_target(30000, 24000) == 125
    assert percent_of_target(5, 0) is None and percent_of_target(None, 10) is None


def test_status_follows_the_configured_thresholds():
    rule = get_indicators().status
    assert status_of(rule.behind_below - 0.01, rule) == "Behind"
    assert status_of(1.0, rule) == "On track"
    assert status_of(rule.ahead_above + 0.01, rule) == "Ahead"
    assert status_of(None, rule) == "No data"


def test_status_of_a_count_compares_with_the_time_elapsed(seeded):
    """A count against the project target is judged by the share of the project's time
    elapsed; against a period target (O1.1 has one for 2026-Q3), by the period alone."""
    frames, _ = seeded
    ev, settings = _evaluate(frames, *Q3)
    project = ev.project
    elapsed = ((Q3[1] - project.start).days + 1) / ((project.end - project.start).days + 1)
    for res in ev.results:
        ind = res.indicator
        if res.computation.kind == "share":
            assert res.progress == pytest.approx(res.value / ind.target)
        elif res.period_target:
            assert ind.code == "O1.1" and res.period_target == 3000
            assert res.progress == pytest.approx(res.value / 3000)
            assert res.percent_of_target == pytest.approx(100 * res.value / 3000)
        else:
            assert res.progress == pytest.approx(res.cumulative / (ind.target * elapsed))
            assert res.percent_of_target == pytest.approx(100 * res.cumulative / ind.target)
        assert res.status == status_of(res.progress, settings.status)


def test_a_project_not_started_or_ended_says_so(seeded):
    frames, _ = seeded
    project = get_indicators().project()
    before = (date(2024, 1, 1), date(2024, 3, 31))
    ev, _ = _evaluate(frames, *before)
    assert ev.window is None and "had not started" in ev.note
    assert f"{project.start:%d %B %Y}" in ev.note
    assert all(r.value is None and r.status == "No data" for r in ev.results)
    ev, _ = _evaluate(frames, date(2027, 7, 1), date(2027, 9, 30))
    assert ev.window is None and "had ended" in ev.note
    window, note = project_window(project, date(2025, 1, 1), date(2025, 12, 31))
    assert window == (project.start, date(2025, 12, 31)) and "Only part" in note


# --------------------------------------------------------------------------- configuration


def _config_with(tmp_path: Path, edit) -> Path:
    folder = tmp_path / "config"
    shutil.copytree(project_root() / "config", folder)
    path = folder / "indicators.yaml"
    path.write_text(edit(path.read_text("utf-8")), "utf-8")
    return folder


@pytest.mark.parametrize(
    ("edit", "key", "problem"),
    [
        (
            lambda t: t.replace("computation: outreach_sessions", "computation: outreach_count"),
            "projects.0.indicators.7.computation",
            "unknown computation 'outreach_count'",
        ),
        (
            lambda t: t.replace("        target: 500\n", ""),
            "projects.0.indicators.7.target",
            "Field required",
        ),
        (
            lambda t: t.replace("end: 2027-06-30", "end: 2025-06-30"),
            "projects.0.end",
            "before it starts",
        ),
        (
            lambda t: t.replace("start: 2025-07-01", "start: 2025-02-30"),
            "projects.0.start",
            "date",
        ),
        (
            lambda t: t.replace("disaggregations: [sex]", "disaggregations: [nationality]"),
            "projects.0.indicators.5.disaggregations",
            "cannot be broken down by nationality",
        ),
        (
            lambda t: t.replace("{2026-Q3: 3000", "{2026-Q5: 3000"),
            "projects.0.indicators.0.period_targets.2026-Q5",
            "not a month",
        ),
        (
            lambda t: t.replace("locations: [all]", "locations: [Tripoli, Atlantis]"),
            "projects.0.locations.1",
            "not a mantika",
        ),
        (
            lambda t: t.replace(
                "title: Voluntary humanitarian return and community hosting in Libya",
                'title: "   "',
            ),
            "projects.0.title",
            "should match pattern",
        ),
        (
            lambda t: t.replace(
                "donor: Example donor (synthetic project for the demo data)", 'donor: "a\\nb"'
            ),
            "projects.0.donor",
            "should match pattern",
        ),
    ],
)
def test_a_config_error_names_file_and_key(tmp_path, edit, key, problem):
    folder = _config_with(tmp_path, edit)
    with pytest.raises(ConfigError) as caught:
        load_indicators(folder)
    message = str(caught.value)
    assert str(folder / "indicators.yaml") in message
    assert f"'{key}'" in message and problem in message
    assert message.count("key '") == 1  # one problem, one message


def test_the_shipped_projects_load_and_every_computation_is_documented():
    settings = load_indicators()
    project = settings.project()
    assert 9 <= len(project.indicators) <= 12
    assert len({i.code for i in project.indicators}) == len(project.indicators)
    for comp in CATALOGUE.values():
        assert len(comp.description) > 40, comp.name
    with pytest.raises(ConfigError, match="no project called 'Nope'"):
        settings.project("Nope")


def test_periods_parse_one_way_only():
    assert parse_month("2026-02") == (date(2026, 2, 1), date(2026, 2, 28))
    assert parse_quarter("2026-Q4") == (date(2026, 10, 1), date(2026, 12, 31))
    assert parse_period("2026-07-01", "2026-08-15") == (date(2026, 7, 1), date(2026, 8, 15))
    assert period_label(*parse_quarter("2026-Q3")) == "July–September 2026 (2026-Q3)"
    assert period_label(*parse_month("2026-10")) == "October 2026"
    start, end = parse_period()
    assert start.day == 1 and end < date.today() and (end - start).days < 31
    for bad in (
        dict(month="2026-13"),
        dict(quarter="2026-Q0"),
        dict(date_from="2026-07-01"),
        dict(date_from="2026-09-30", date_to="2026-07-01"),
        dict(month="2026-10", quarter="2026-Q3"),
    ):
        with pytest.raises(WorkbenchError):
            parse_period(**bad)


# --------------------------------------------------------------------------- the donor report


def test_the_title_names_project_donor_and_period(seeded):
    from protection_workbench.reports.period import period_report, report_title

    project = get_indicators().project()
    report = period_report(seeded[0], *Q3)
    assert project.title and project.donor
    assert report_title(report) == (
        f"{project.title}: report to {project.donor}, July–September 2026 (2026-Q3)"
    )


def test_percent_of_target_against_the_period_and_the_project_both_labelled(seeded):
    """O1.1 has a target for 2026-Q3: its row says the quarter against 3,000 and, apart,
    the project's total against 24,000; the status names both when they differ."""
    from protection_workbench.reports.period import period_report, shown_number

    report = period_report(seeded[0], *Q3)
    row = report.indicators.set_index("Code").loc["O1.1"]
    value, since = shown_number(row["This period"]), shown_number(row["Since project start"])
    assert row["Period target"] == "3,000" and row["Project target"] == "24,000"
    assert row["% of period target"] == f"{100 * value / 3000:,.0f} %"
    assert row["% of project target"] == f"{100 * since / 24000:,.0f} %"
    res = next(r for r in report.evaluation.results if r.indicator.code == "O1.1")
    if res.status != res.project_status:
        assert row["Status"] == (
            f"{res.status} for the period, {res.project_status.lower()} for the project"
        )
    # an indicator without a period target says so rather than a figure
    row = report.indicators.set_index("Code").loc["O2.4"]
    assert row["Period target"] == "none set" and row["% of period target"] == "none set"


def test_a_share_agrees_with_its_breakdown_when_a_few_were_not_met(seeded):
    """The case built to disagree before: 3 referrals of a quarter's many not followed up.
    The share was rounded to "100 %" (and "Ahead") while its breakdown showed "Not met
    <5"; now a share is 100 % only when every one was met."""
    from protection_workbench.reports.period import period_report, whole_percent

    frames = dict(seeded[0])
    refs = frames["referrals"].copy()
    due = refs["follow_up_due"].between(pd.Timestamp(Q3[0]), pd.Timestamp(Q3[1]))
    due = due.fillna(False).to_numpy(dtype=bool)
    refs.loc[due, "follow_up_date"] = refs.loc[due, "follow_up_due"]
    # the quarter's referrals six times over (a busy quarter), three of them missed
    refs = pd.concat([refs] + [refs[due]] * 5, ignore_index=True)
    missed = refs.index[refs["follow_up_due"].between(pd.Timestamp(Q3[0]), pd.Timestamp(Q3[1]))]
    refs.loc[missed[:3], "follow_up_date"] = pd.NaT
    frames["referrals"] = refs
    report = period_report(frames, *Q3)
    res = next(r for r in report.evaluation.results if r.indicator.code == "O2.2")
    assert res.denominator - res.numerator == 3 and res.denominator > 600  # rounds to 100
    row = report.indicators.set_index("Code").loc["O2.2"]
    assert row["This period"] == "99 %"
    (sex,) = report.breakdowns["O2.2"].values()
    assert sex.loc["Total", "Not followed up in time"] == "<5"
    assert "Not met" not in sex.columns  # the breakdown's words are not a status
    assert whole_percent(949, 952) == 99 and whole_percent(3, 952) == 1
    assert whole_percent(952, 952) == 100 and whole_percent(0, 952) == 0
    assert whole_percent(901, 1000) == 90


def _numbers(text: str) -> set[float]:
    import re

    return {float(n.replace(",", "")) for n in re.findall(r"\d[\d,]*(?:\.\d+)?", text)}


def test_the_narrative_names_each_indicator_against_both_targets(seeded):
    import html

    from protection_workbench.reports.period import narrative, period_report

    report = period_report(seeded[0], *Q3)
    lead, *sentences = [html.unescape(s) for s in narrative(report)]
    assert lead.startswith("Of the 11 indicators:")
    rows = report.indicators.set_index("Code")
    for res, sentence in zip(report.evaluation.results, sentences, strict=True):
        row = rows.loc[res.indicator.code]
        assert res.indicator.statement in sentence and res.indicator.code in sentence
        assert f"{row['This period']}" in sentence and "in this period" in sentence
        if res.indicator.is_share:
            assert f"the project's target is {row['Project target']}" in sentence
        else:
            assert f"project's target of {row['Project target']}" in sentence
            assert f"{row['% of project target']} of the project's target" in sentence
        if row["Period target"] != "none set":
            assert f"against a target of {row['Period target']}" in sentence
        if "Behind" in row["Status"] and not res.indicator.is_share:
            assert "behind by about" in sentence
    # O1.1: the quarter against 3,000 and the project against 24,000, both said
    assert "against a target of 3,000" in sentences[0] and "target of 24,000" in sentences[0]


def test_the_narrative_says_only_figures_the_tables_show(seeded):
    """Every number of the narrative is one the indicator table shows, a target or
    threshold of the configuration, or worked out from shown figures only (what the
    time elapsed calls for, and the gap to it): a hidden figure cannot be recomputed."""
    import html

    from protection_workbench.reports.period import (
        narrative,
        period_report,
        shown_number,
        status_sentence,
    )

    settings = get_indicators()
    report = period_report(seeded[0], *Q3)
    text = html.unescape(" ".join(narrative(report)))
    shown = _numbers(" ".join(report.indicators.astype(str).to_numpy().ravel()))
    elapsed = report.evaluation.project.elapsed(Q3[1])
    # the number of indicators of each status, and the share of the project's time
    allowed = shown | _numbers(status_sentence(report)) | {round(100 * elapsed)}
    allowed |= {5.0} if "fewer than 5" in text else set()
    for res in report.evaluation.results:
        since = shown_number(
            report.indicators.set_index("Code").loc[res.indicator.code]["Since project start"]
        )
        if res.indicator.is_share:
            value = shown_number(
                report.indicators.set_index("Code").loc[res.indicator.code]["This period"]
            )
            if value is not None:
                allowed.add(abs(round(value - res.indicator.target)))
        elif since is not None:
            expected = round(res.indicator.target * elapsed)
            allowed |= {expected, abs(round(since) - expected)}
    assert _numbers(text) - allowed == set()
    assert settings.status.behind_below  # the thresholds are said in the status legend


def test_a_hidden_figure_is_said_and_nothing_is_worked_out_from_it(seeded):
    from protection_workbench.reports.period import indicator_sentence, period_report

    report = period_report(seeded[0], *Q3)
    res = next(r for r in report.evaluation.results if r.indicator.code == "O1.2")
    row = report.indicators.set_index("Code").loc["O1.2"].copy()
    row["This period"], row["Since project start"] = "<5", "[c]"
    row["% of project target"] = "–"
    sentence = indicator_sentence(res, row)
    assert "fewer than 5 people in this period" in sentence
    assert "not shown since the project started" in sentence
    assert "expected" not in sentence and "behind by" not in sentence
    assert str(int(res.value)) not in sentence.replace("2,500", "")


def test_a_month_with_few_people_says_fewer_than_5_and_never_the_count(seeded):
    """A real month whose count of people is hidden ("<5"): its sentence says "fewer than
    5" and works nothing out from it, and the exact count appears in no sentence's
    figures for this period."""
    import html

    from protection_workbench.reports.period import narrative, period_report

    project = get_indicators().project()
    for month in pd.period_range(project.start, AS_OF, freq="M"):
        start, end = month.start_time.date(), month.end_time.date()
        report = period_report(seeded[0], start, end)
        rows = report.indicators.set_index("Code")
        hidden = [c for c in rows.index if rows.loc[c, "This period"] == "<5"]
        if hidden:
            break
    assert hidden, "the demo has a month with fewer than 5 people in an indicator"
    sentences = dict(
        zip(rows.index, [html.unescape(s) for s in narrative(report)[1:]], strict=True)
    )
    for code in hidden:
        res = next(r for r in report.evaluation.results if r.indicator.code == code)
        assert 1 <= res.value <= 4
        assert f"fewer than 5 {res.indicator.unit} in this period" in sentences[code]
        assert rows.loc[code, "% of period target"] in ("none set", "–")
        head = sentences[code].split(" in this period")[0]
        assert str(int(res.value)) not in head.replace(f"({code})", "")
