"""When does the shop arrive? Expected arrivals per stop, for the boards and the operator."""
