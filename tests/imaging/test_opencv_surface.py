"""The program calls only the OpenCV modules the bundle's slim build has (README "Installing",
packaging/opencv_slim.sh): core, imgproc, features2d, flann, calib3d and objdetect.

The venv's OpenCV wheel has every module, so a call to, say, cv2.imread would pass every other
test and fail only in the standalone bundle. This test reads every `cv2.NAME` in app/ and
refuses the names of the left-out modules; where the slim build is there (after `make dist`),
it also checks that each name exists in it.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
USE = re.compile(r"\bcv2\.([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?)")
# Names of the modules the slim build leaves out: image codecs, video, windows, DNN, ML,
# photo (inpainting, denoising), stitching.
LEFT_OUT = re.compile(
    r"^(im(read|write|decode|encode|readmulti|count)|haveImage(Reader|Writer)|IMREAD_|IMWRITE_"
    r"|Video(Capture|Writer)|CAP_|imshow|waitKey|namedWindow|destroy|selectROI|dnn|ml\b|ml\."
    r"|inpaint|fastNlMeans|seamlessClone|detailEnhance|createTonemap|calcOpticalFlow"
    r"|Stitcher|createBackgroundSubtractor)")


def used_names() -> set[str]:
    names = set()
    for path in (ROOT / "app").rglob("*.py"):
        names.update(USE.findall(path.read_text(encoding="utf-8")))
    return names


def test_the_program_calls_opencv():
    names = used_names()
    assert {"aruco.ArucoDetector", "grabCut", "findHomography"} <= names


def test_no_call_to_a_module_the_slim_build_leaves_out():
    assert sorted(n for n in used_names() if LEFT_OUT.match(n)) == []


def test_the_left_out_names_are_recognised():
    assert LEFT_OUT.match("imread") and LEFT_OUT.match("IMWRITE_JPEG_QUALITY")
    assert LEFT_OUT.match("dnn.readNet") and LEFT_OUT.match("VideoCapture")
    assert not LEFT_OUT.match("resize") and not LEFT_OUT.match("aruco.ArucoDetector")


def slim_sites() -> list[Path]:
    return sorted((ROOT / "build" / "opencv-slim").glob("*/site/cv2/__init__.py"))


@pytest.mark.skipif(not slim_sites(), reason="no slim OpenCV built here (make dist builds it)")
def test_every_name_exists_in_the_slim_build():
    site = slim_sites()[-1].parents[1]
    probe = ("import sys, cv2\n"
             "missing = []\n"
             "for name in sys.argv[1:]:\n"
             "    obj = cv2\n"
             "    for part in name.split('.'):\n"
             "        obj = getattr(obj, part, None)\n"
             "    if obj is None: missing.append(name)\n"
             "assert 'opencv-slim' in cv2.__file__, cv2.__file__\n"
             "print(' '.join(missing))\n")
    done = subprocess.run([sys.executable, "-c", probe, *sorted(used_names())], check=True,
                          capture_output=True, text=True, env={"PYTHONPATH": str(site)})
    assert done.stdout.strip() == ""
