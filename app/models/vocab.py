"""Controlled vocabularies stored in the database (the values CHECK constraints allow)."""
from __future__ import annotations

from app.domain.episodes import CLINICIAN_STATUSES as CLINICIAN_STATUSES  # the episode rules' own
from app.domain.labels import ARM_LABELS as ARM_LABELS  # re-exported: one source of labels
from app.domain.labels import ETIOLOGIES as ETIOLOGIES  # defined beside their labels

SEXES = ("F", "M", "X")
DIABETES_TYPES = ("1", "2", "other")
ARMS = ("exosome", "exosome+msc", "standard")
MEASURING_METHODS = ("ruler", "tracing", "photo")
EXUDATE_AMOUNTS = ("none", "light", "moderate", "heavy")
PERIWOUND_STATES = ("intact", "macerated", "callus", "erythema", "induration", "dry")
EXOSOME_SOURCES = ("bone_marrow", "adipose", "umbilical_cord")
EXOSOME_ROUTES = ("topical", "perilesional", "intralesional", "iv")
DOPPLER_WAVEFORMS = ("triphasic", "biphasic", "monophasic", "absent")
OSTEOMYELITIS = ("yes", "no", "suspected")
AE_RELATEDNESS = ("unrelated", "unlikely", "possible", "probable", "definite")
AE_OUTCOMES = ("recovered", "recovering", "not_recovered", "recovered_with_sequelae", "fatal",
               "unknown")
AREA_METHODS = ("ellipse", "rectangle")
PAPER_SIZES = ("A4", "Letter")
