"""Wound photographs in the window: add a photo to an assessment (file dialog, drag and drop,
paste), the outline editor (`photoOutlineEditor`), the button in each ulcer section of the
visit form, and Clinic ▸ Print calibration card.

Decoding, calibration, outline proposals, painting and tissue colours run on the window
runner's background thread (app.imaging is pure); the attach is one runner write
(app.services.photos). The GUI thread only paints (docs/product.md, photos)."""
