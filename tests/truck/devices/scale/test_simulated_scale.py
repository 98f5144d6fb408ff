import pytest

from truck.devices.scale.reading import ScaleError
from truck.devices.scale.simulated import SimulatedScale


def test_the_scale_computes_the_price_from_the_placed_weight():
    scale = SimulatedScale()
    scale.place(347)
    reading = scale.weigh(1690)  # Gouda at 16,90 €/kg
    assert (reading.grams, reading.total) == (347, 586)


def test_an_empty_unplugged_or_overloaded_scale_says_so():
    scale = SimulatedScale()
    scale.place(0)
    with pytest.raises(ScaleError, match="Unter Mindestlast"):
        scale.weigh(100)
    scale.place(20_000)
    with pytest.raises(ScaleError, match="Überlast"):
        scale.weigh(100)
    scale.connected = False
    with pytest.raises(ScaleError, match="nicht verbunden"):
        scale.weigh(100)
