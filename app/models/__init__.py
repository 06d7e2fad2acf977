"""The clinic's ORM: patients, ulcer episodes, visits and what they record, settings."""
from app.models.base import Base
from app.models.patient import Patient, Ulcer
from app.models.settings import ReferenceRangeSetting, Setting
from app.models.visit import (AdverseEvent, Assessment, LabResult, PerfusionImaging, Treatment,
                              Visit)

__all__ = ["AdverseEvent", "Assessment", "Base", "LabResult", "Patient", "PerfusionImaging",
           "ReferenceRangeSetting", "Setting", "Treatment", "Ulcer", "Visit"]
