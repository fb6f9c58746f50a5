"""The situation's cached answers are those worked out afresh, whatever changed since."""

from wargame import ConflictModel

GROUND = ("allies_of", "enemies_of", "friendly_ground", "hostile_ground", "key_places")


def answers(model: ConflictModel) -> dict:
    result = {}
    for faction in model.factions:
        for question in GROUND:
            result[(question, faction)] = getattr(model, question)(faction)
        result[("cut off", faction)] = {p for p in model.controller if model.is_cut_off(faction, p)}
    return result


def fresh_answers(model: ConflictModel) -> dict:
    model._ground.clear()
    model._situation.clear()
    return answers(model)


def test_answers_kept_from_day_to_day_match_fresh_ones_through_captures_and_truces():
    model = ConflictModel("kachin", rng=3)
    for _ in range(150):
        model.step()
        kept = answers(model)
        assert kept == fresh_answers(model), model.day
    kinds = {e.kind.name for e in model.events}
    assert {"CAPTURE", "CEASEFIRE"} <= kinds  # the run changed what the answers rest on


def test_a_place_changing_hands_or_new_parameters_renew_the_answers():
    model = ConflictModel("kachin", rng=1)
    holder = model.controller["kanpaiti"]
    assert "kanpaiti" in model.key_places(holder)
    model.controller["kanpaiti"] = "kia" if holder != "kia" else "tatmadaw"
    assert "kanpaiti" not in model.key_places(holder)
    assert "kanpaiti" in model.key_places(model.controller["kanpaiti"])

    towns = [
        p for p in model.key_places("tatmadaw") if model.theatre.map.places[p].kind.value == "town"
    ]
    assert towns
    model.parameters = model.parameters.model_copy(update={"key_town_population": 10**9})
    assert not set(towns) & model.key_places("tatmadaw")
