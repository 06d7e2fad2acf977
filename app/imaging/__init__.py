"""Wound photographs without a GUI: decode, calibrate with the card, outline, measure.

Layer: numpy, OpenCV (headless) and Pillow are allowed here; no Qt, no SQL. Every function is a
pure function of bytes or arrays, safe to run off the GUI thread. Heavy imports happen inside
functions (start-up stays light). Coordinates are upright full-resolution image px, pixel
centres at integers, unless a name says "working" (the copy with long side <= 2048 px).

API for the CLI (`photo card/measure/attach/export`) and the GUI:

- app.imaging.card: the card design (all sizes in mm, in one place).
  `card_png(dpi) -> bytes` (exactly round(100 mm / 25.4 * dpi) px wide);
  `card_size_px(dpi)`; `render_card(dpi) -> RGB array`.
  The PDF: app.imaging.card_pdf.card_pdf() -> bytes (A4, print at 100%).
- app.imaging.decode: `decode_photo(data) -> DecodedPhoto` (sha256, format, upright size,
  working RGB array and JPEG, thumbnail JPEG, EXIF date); raises `PhotoError` (its str is
  the message for the user) for empty, truncated, > 100 MP, non-image, PDF or unsupported
  files. `decode_full(data)` for print at full resolution.
- app.imaging.calibrate: `find_card(image, pixel_scale=...) -> Calibration | None`;
  `ruler_calibration(p1, p2, distance_cm)` (two-point fallback; `CalibrationError`);
  `card_white_rgb(image, calibration)`: the white patch's colour, for white balance.
  `Calibration.as_json()/from_json()` for storage.
- app.imaging.segment: `outline_from_box(image, box)`, `outline_from_click(image, point)`
  (`SegmentationError`), `tissue_colours(image, outline, white_rgb=) -> {"red","yellow",
  "black"} %` (a suggestion only; pass card_white_rgb to undo a colour cast),
  `rasterize(outline, shape)`.
- app.imaging.measure: `measure_outline(outline_px, calibration) -> WoundMeasurement`
  (area_cm2, perimeter_cm, length_cm, width_cm).
- app.imaging.pipeline: `analyse_photo(data, outline=|box=|click=) -> PhotoAnalysis` whose
  `as_json()` is the `photo measure --json` document; `propose_outline(photo, box=|click=)`;
  `parse_outline(json_text)` and `parse_box("X0,Y0,X1,Y1")` for the CLI (ValueError).
- app.imaging.views: painted outlines, the skin plane seen from above at one
  real-world scale (`plane_view`), crops and JPEG helpers for the Photos tab and reports.
- app.imaging.privacy: `shareable_copy(data) -> ShareableCopy(data, extension)`: GPS and
  device serials stripped, for every exported or printed copy.
- app.imaging.synthetic: `synthetic_photo(seed, size=...) -> SyntheticPhoto` with the true
  outline, area, mask and tissue shares (tests, benchmark, demo clinic).

Storage, audit and export are services: app.services.photos (prepare_photo, attach_photo,
set_outline, set_primary, remove_photo, list_photos, find_assessment), app.services.photo_store
(verified bytes, verify_blobs for `check`, incremental copy), app.services.photo_export
(`photo export`); the demo clinic's photos: app.services.demo. Design: docs/photos.md.
"""
