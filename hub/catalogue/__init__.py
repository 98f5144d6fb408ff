"""The office's article list: imported from the wholesaler's CSV, edited on the web, prices
changed for a date, pushed to the trucks as a new version; every change kept with who and
when. ``office`` holds the rules, ``article_csv`` reads the CSV, ``toml_text`` writes the
list the trucks import."""
