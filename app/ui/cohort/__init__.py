"""The cohort view: time to closure and recurrence by arm across the clinic."""
