"""The rule every map places its names by: the first spot inside the picture clear of all
that is already there."""

from wargame.drawing.labels import claim, inside, overlap, short_name
from wargame.scenario import Place, PlaceKind

SYMBOL = (0.0, 0.0, 10.0, 10.0)


def test_a_name_takes_the_first_spot_clear_of_what_is_there_and_keeps_it():
    taken = [SYMBOL]
    spots = [("on the symbol", (5.0, 5.0, 20.0, 15.0)), ("right", (12.0, 0.0, 30.0, 10.0))]
    assert claim(spots, taken) == "right"
    assert taken == [SYMBOL, (12.0, 0.0, 30.0, 10.0)]
    # the next name cannot have that spot, and gets none where none is left
    assert claim([("right", (15.0, 2.0, 25.0, 8.0))], taken) is None
    assert len(taken) == 2


def test_a_spot_outside_the_picture_is_passed_over():
    frame = (0.0, 0.0, 100.0, 50.0)
    spots = [("above", (10.0, 45.0, 30.0, 55.0)), ("below", (10.0, 30.0, 30.0, 40.0))]
    assert claim(spots, [], frame) == "below"
    assert claim(spots[:1], []) == "above"  # no frame: anywhere will do
    assert inside((0.0, 0.0, 100.0, 50.0), frame)  # edges may touch


def test_boxes_that_only_touch_do_not_overlap():
    assert not overlap(SYMBOL, (10.0, 0.0, 20.0, 10.0))
    assert not overlap(SYMBOL, (0.0, 10.0, 10.0, 20.0))
    assert overlap(SYMBOL, (9.9, 9.9, 20.0, 20.0))
    assert overlap((2.0, 2.0, 3.0, 3.0), SYMBOL)  # one inside the other


def test_spots_are_measured_only_as_far_as_the_one_chosen():
    measured = []

    def spots():
        for name, box in [("right", (12.0, 0.0, 20.0, 10.0)), ("left", (-10.0, 0.0, -2.0, 10.0))]:
            measured.append(name)
            yield name, box

    assert claim(spots(), [SYMBOL]) == "right"
    assert measured == ["right"]  # a text moved to measure it stays where it was put


def test_a_name_is_written_without_its_other_spelling():
    tanai = Place("tanai", "Tanai (Danai)", PlaceKind.TOWN, "MM", 96.7, 26.4, 1, 0, 0.0, 0.0)
    assert short_name(tanai) == "Tanai"
