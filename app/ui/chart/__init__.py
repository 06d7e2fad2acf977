"""The patient chart: Overview, Visits, Healing curves, Pain, Labs, Treatments, Adverse
events (the Photos and Audit tabs are added by their features)."""
