"""The documentation keeps up with the model: every parameter and phase is described."""

from pathlib import Path

from wargame.parameters import Parameters

ODD = (Path(__file__).parent.parent / "docs" / "ODD.md").read_text(encoding="utf-8")


def test_the_odd_lists_every_parameter_with_its_default():
    for name, info in Parameters.model_fields.items():
        default = f"{info.default:g}" if isinstance(info.default, float) else str(info.default)
        assert f"| `{name}` | {default} |" in ODD, name


def test_the_odd_names_the_module_of_every_phase():
    for module in (
        "diplomacy",
        "command",
        "movement",
        "combat",
        "morale",
        "control",
        "economy",
        "civilians",
        "observation",
    ):
        assert f"`{module}.py`" in ODD, module
