"""The accountant's figures and exports: daily sums, cash book, closings, CSV, DATEV, PDF.

Every figure here is a projection of the trucks' journals, as everything on the hub is: the
daily sums come from the turnover tables the ingest keeps, the cash book, the closings and the
DATEV bookings from the journal entries of the period themselves.
"""
