"""Planning from the journals: what to load for a tour, what each stop is worth.

``history`` reads the committed receipts and stop entries of a period into visits per stop;
``loading`` turns them into tomorrow's loading list, ``evaluation`` into figures per stop
compared with the tour plan. All amounts are integer cents, quantities pieces or grams.
"""
