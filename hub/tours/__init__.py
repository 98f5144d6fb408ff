"""The office's tour plan: tours, stops, trucks per date and exceptions, edited on the web,
kept as versions in the hub store, sent to the trucks. ``plan_text`` writes the TOML the
trucks read; ``editing`` changes a plan and checks it as a truck would."""
