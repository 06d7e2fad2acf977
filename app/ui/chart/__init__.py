"""The patient chart: Overview, Visits, Healing curves, Pain, Labs, Treatments, Adverse events, Audit."""
