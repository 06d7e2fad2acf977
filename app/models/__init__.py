"""The clinic's ORM: patients, ulcer episodes, visits and what they record, settings."""
from app.models.base import Base
from app.models.patient import Patient, Ulcer
from app.models.photo import Photo, PhotoBlob
from app.models.security import AuditEntry, User
from app.models.settings import ReferenceRangeSetting, Setting
from app.models.visit import AdverseEvent, Assessment, LabResult, PerfusionImaging, Treatment, Visit

__all__ = ["AdverseEvent", "Assessment", "AuditEntry", "Base", "LabResult", "Patient",
           "PerfusionImaging", "Photo", "PhotoBlob", "ReferenceRangeSetting", "Setting",
           "Treatment", "Ulcer", "User", "Visit"]
