#!/usr/bin/env bash
# tests/install/run.sh <build dir> <scratch dir>
#
# The install test (ctest -R install):
#   1. cmake --install <build dir> into <scratch>/prefix;
#   2. libhetmod.so exports only hetmod_* symbols (nm -D --defined-only);
#   3. configure + build tests/install/consumer with find_package(hetmod CONFIG) and
#      CMAKE_PREFIX_PATH=<prefix>: a C program linking hetmod::c and a C++ program linking
#      hetmod::hetmod; run both;
#   4. compile the C program with `cc $(pkg-config --cflags --libs hetmod)` and run it.
# Exits non-zero on the first failure.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 <build dir> <scratch dir>" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
scratch=$2
here=$(cd "$(dirname "$0")" && pwd)

rm -rf "$scratch"
mkdir -p "$scratch"
scratch=$(cd "$scratch" && pwd)
prefix=$scratch/prefix

step() { printf '\n== install test: %s ==\n' "$*"; }

step "cmake --install into $prefix"
cmake --install "$build" --prefix "$prefix"

# The library directory (lib, lib64 or lib/<multiarch>, whatever GNUInstallDirs chose).
lib=$(find "$prefix" -name 'libhetmod.so' -print -quit)
if [ -z "$lib" ]; then
  echo "install test: libhetmod.so was not installed" >&2
  exit 1
fi
libdir=$(dirname "$lib")
pcdir=$libdir/pkgconfig
for f in "$prefix/include/hetmod.h" "$prefix/include/hetmod/core/error.hpp" "$pcdir/hetmod.pc" \
         "$libdir/cmake/hetmod/hetmodConfig.cmake" "$libdir/cmake/hetmod/hetmodConfigVersion.cmake"; do
  if [ ! -f "$f" ]; then
    echo "install test: missing $f" >&2
    exit 1
  fi
done

step "exported symbols of libhetmod.so"
exported=$(nm -D --defined-only "$lib" | awk 'NF >= 3 { print $3 }')
n_api=$(printf '%s\n' "$exported" | grep -c '^hetmod_' || true)
others=$(printf '%s\n' "$exported" | grep -v '^hetmod_' | grep -v '^$' || true)
echo "$n_api hetmod_* symbols exported"
if [ "$n_api" -lt 1 ]; then
  echo "install test: libhetmod.so exports no hetmod_* symbol" >&2
  exit 1
fi
if [ -n "$others" ]; then
  echo "install test: libhetmod.so exports symbols outside the C API:" >&2
  printf '%s\n' "$others" | head -n 20 >&2
  exit 1
fi

step "find_package consumer"
cmake -S "$here/consumer" -B "$scratch/consumer-build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release
cmake --build "$scratch/consumer-build" -j 2
"$scratch/consumer-build/consumer_c"
"$scratch/consumer-build/consumer_cpp"

step "pkg-config consumer"
export PKG_CONFIG_PATH=$pcdir
pkg-config --exists hetmod
echo "pkg-config: version $(pkg-config --modversion hetmod), cflags '$(pkg-config --cflags hetmod)', libs '$(pkg-config --libs hetmod)'"
# shellcheck disable=SC2046
cc -std=c99 -Wall -Wextra -Werror "$here/consumer/consumer.c" -o "$scratch/consumer_c_pkgconfig" \
  $(pkg-config --cflags --libs hetmod)
LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} "$scratch/consumer_c_pkgconfig"

step "passed"
