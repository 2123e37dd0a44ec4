"""The bench's warm-up (bench/run.py `warm_up`): a page is measured once its rounds of
warm-up stop getting clearly faster, so a first build that takes each worker a second or
more (the publications' facet summary at ten times the data) is not in the figures."""

import pytest

from bench import run


@pytest.fixture
def rounds_served(monkeypatch):
    """The warm-up against a wrk that serves the given rates, round after round."""

    def serve(rates):
        served = iter(rates)
        calls = []

        def load(wrk, url, cookie, seconds=run.SECONDS, paths=None, connections=8):
            calls.append(seconds)
            return {"rps": next(served)}

        monkeypatch.setattr(run, "load", load)
        return run.warm_up("wrk", "http://127.0.0.1:1/", None), calls

    return serve


def test_a_page_as_fast_in_its_second_round_is_warm_after_two(rounds_served):
    rounds, calls = rounds_served([200.0, 205.0, 400.0])
    assert rounds == 2
    assert calls == [run.WARMUP, run.WARMUP]


def test_a_page_still_being_built_is_warmed_up_again(rounds_served):
    # The workers were still building the page in the first two rounds.
    rounds, _calls = rounds_served([20.0, 90.0, 300.0, 310.0, 900.0])
    assert rounds == 4


def test_the_warm_up_stops_after_its_last_round(rounds_served):
    rounds, calls = rounds_served([10.0 * 2**n for n in range(10)])
    assert rounds == run.WARMUP_ROUNDS
    assert len(calls) == run.WARMUP_ROUNDS
