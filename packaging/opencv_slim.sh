#!/usr/bin/env bash
# A slim OpenCV for the standalone bundle (issue 15; README "Installing").
#
# The PyPI wheels of OpenCV carry every module plus FFmpeg, libaom, libvpx and OpenBLAS: about
# 150 MB in the bundle, for a program that calls a few dozen functions of five modules
# (app/imaging: ArUco detection, homographies, GrabCut, contours, resizing and blurring).
# This builds OpenCV's Python module from the same source the PyPI wheel is made from (the
# opencv-python-headless sdist, pinned by version and SHA-256) with only those modules:
#   core, imgproc, features2d + flann (calib3d needs them), calib3d, objdetect (ArUco)
# and without video, image codecs (Pillow decodes and encodes), LAPACK/OpenBLAS (OpenCV's own
# routines instead), IPP, OpenCL or threading libraries.
#
#   packaging/opencv_slim.sh [PYTHON]      prints the folder to put first on sys.path
#
# The result is kept in build/opencv-slim/<version>-py<X.Y>-numpy<V>/ and reused while it is there
# (`make clean` removes it). Needs cmake, ninja (or make), a C++ compiler and the Python
# headers (a pyenv or python.org Python has them). About 20 min of CPU on this machine.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
python="${1:-$root/.venv/bin/python}"
python="$("$python" -c 'import sys; print(sys.executable)')"  # absolute: cmake runs it elsewhere
version=4.12.0.88
sha256=cfdc017ddf2e59b6c2f53bc12d74b6b0be7ded4ec59083ea70763921af2b6c09
url="https://files.pythonhosted.org/packages/a4/63/6861102ec149c3cd298f4d1ea7ce9d6adbc7529221606ff1dab991a19adb/opencv-python-headless-$version.tar.gz"
modules=core,imgproc,features2d,flann,calib3d,objdetect,python3,python_bindings_generator

# Built against the NumPy it will run with (the venv's: the one the bundle carries).
tag="$("$python" -c 'import sys, numpy; print("py%d.%d-numpy%s" % (*sys.version_info[:2], numpy.__version__))')"
out="$root/build/opencv-slim/$version-$tag"
site="$out/site"
if [ -f "$site/cv2/__init__.py" ] && [ -f "$site/opencv_python_headless-$version.dist-info/METADATA" ]; then
  echo "$site"
  exit 0
fi

log="$out/build.log"
mkdir -p "$out"
echo "building a slim OpenCV $version ($tag) in $out (log: $log)" >&2
tarball="$out/opencv-python-headless-$version.tar.gz"
if ! echo "$sha256  $tarball" | sha256sum -c --quiet - >/dev/null 2>&1; then
  curl -fsSL -o "$tarball" "$url"
  echo "$sha256  $tarball" | sha256sum -c --quiet -
fi
rm -rf "$out/src" "$out/cmake" "$site"
mkdir -p "$out/src"
tar -xzf "$tarball" -C "$out/src" --strip-components=1

read -r include libdir ldlibrary numpy_include < <("$python" - <<'EOF'
import sysconfig

import numpy

print(sysconfig.get_paths()["include"], sysconfig.get_config_var("LIBDIR"),
      sysconfig.get_config_var("LDLIBRARY"), numpy.get_include())
EOF
)
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake "${generator[@]}" -S "$out/src/opencv" -B "$out/cmake" \
  -DCMAKE_BUILD_TYPE=Release -DBUILD_LIST="$modules" -DBUILD_SHARED_LIBS=OFF \
  -DPYTHON3_EXECUTABLE="$python" -DPYTHON_DEFAULT_EXECUTABLE="$python" \
  -DPYTHON3_INCLUDE_PATH="$include" -DPYTHON3_INCLUDE_DIR="$include" \
  -DPYTHON3_LIBRARIES="$libdir/$ldlibrary" -DPYTHON3_LIBRARY="$libdir/$ldlibrary" \
  -DPYTHON3_NUMPY_INCLUDE_DIRS="$numpy_include" -DPYTHON3_PACKAGES_PATH="$site" \
  -DCMAKE_INSTALL_PREFIX="$out/prefix" \
  -DWITH_IPP=OFF -DWITH_LAPACK=OFF -DWITH_EIGEN=OFF -DWITH_FFMPEG=OFF -DWITH_GSTREAMER=OFF \
  -DWITH_V4L=OFF -DWITH_OPENCL=OFF -DWITH_VA=OFF -DWITH_VA_INTEL=OFF -DWITH_ITT=OFF \
  -DWITH_PROTOBUF=OFF -DWITH_ADE=OFF -DWITH_TBB=OFF -DWITH_OPENMP=OFF -DWITH_QUIRC=OFF \
  -DWITH_JPEG=OFF -DWITH_PNG=OFF -DWITH_TIFF=OFF -DWITH_WEBP=OFF -DWITH_OPENJPEG=OFF \
  -DWITH_JASPER=OFF -DWITH_OPENEXR=OFF -DWITH_AVIF=OFF -DWITH_GDAL=OFF -DWITH_GDCM=OFF \
  -DWITH_IMGCODEC_HDR=OFF -DWITH_IMGCODEC_SUNRASTER=OFF -DWITH_IMGCODEC_PXM=OFF \
  -DWITH_IMGCODEC_PFM=OFF -DWITH_IMGCODEC_GIF=OFF -DWITH_1394=OFF -DWITH_GTK=OFF \
  -DBUILD_TESTS=OFF -DBUILD_PERF_TESTS=OFF -DBUILD_EXAMPLES=OFF -DBUILD_DOCS=OFF \
  -DBUILD_opencv_apps=OFF -DBUILD_JAVA=OFF -DCV_TRACE=OFF -DOPENCV_GENERATE_PKGCONFIG=OFF \
  -DENABLE_PRECOMPILED_HEADERS=OFF >"$log" 2>&1 || { tail -30 "$log" >&2; exit 1; }
cmake --build "$out/cmake" --parallel "$(nproc)" >>"$log" 2>&1 || { tail -30 "$log" >&2; exit 1; }
cmake --install "$out/cmake" >>"$log" 2>&1 || { tail -30 "$log" >&2; exit 1; }

# Distribution metadata, so that the bundle's Help > About names the OpenCV it carries.
info="$site/opencv_python_headless-$version.dist-info"
mkdir -p "$info"
printf 'Metadata-Version: 2.1\nName: opencv-python-headless\nVersion: %s\nSummary: %s\nLicense: Apache-2.0\n' \
  "$version" "OpenCV $version: core, imgproc, features2d, flann, calib3d, objdetect (DFU Monitor's slim build)" \
  >"$info/METADATA"
cp "$out/src/LICENSE.txt" "$info/LICENSE.txt"
printf 'packaging/opencv_slim.sh\n' >"$info/INSTALLER"
: >"$info/RECORD"
rm -rf "$out/src" "$out/cmake" "$out/prefix"  # source, objects, C++ headers and libraries: ~1 GB
"$python" -c "import sys; sys.path.insert(0, '$site'); import cv2; assert cv2.__file__.startswith('$site'), cv2.__file__; cv2.aruco.ArucoDetector" \
  || { echo "the slim OpenCV does not import" >&2; exit 1; }
echo "$site"
