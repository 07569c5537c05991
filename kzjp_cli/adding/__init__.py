"""``kzjp add``: the adder (sources to corpus files, duplicate checks), fetching within limits, and feeds."""

from kzjp_cli.adding.adder import Adder, Outcome, Overrides, known_in, tally, target_corpus
from kzjp_cli.adding.fetch import Limits

__all__ = ["Adder", "Limits", "Outcome", "Overrides", "known_in", "tally", "target_corpus"]
