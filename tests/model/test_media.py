"""A file's verdict says whether a victim was identified only from matches an allow list did not suppress."""

from __future__ import annotations

from lanzarote.model.media import FileVerdict, HashMatch, HashType, Verdict


def _match(victim_identified: bool | None, suppressed: bool = False) -> HashMatch:
    return HashMatch(list_name="vics", entry_id="e1", hash_type=HashType.MD5, victim_identified=victim_identified,
                     suppressed_by_allow_list=suppressed)


def test_a_victim_is_identified_when_a_live_match_says_so() -> None:
    verdict = FileVerdict(file_id="f1", verdict=Verdict.KNOWN, matches=(_match(None), _match(True)))
    assert verdict.victim_identified


def test_an_allow_listed_match_never_identifies_a_victim() -> None:
    verdict = FileVerdict(file_id="f1", verdict=Verdict.KNOWN, matches=(_match(True, suppressed=True),))
    assert not verdict.victim_identified


def test_a_file_not_matched_yet_is_not_unknown_material() -> None:
    verdict = FileVerdict(file_id="f1", verdict=Verdict.NOT_MATCHED)
    assert verdict.verdict is not Verdict.UNKNOWN and verdict.matches == () and not verdict.victim_identified
