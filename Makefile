# hetmod: the two commands of the README.
#   make demo   install missing Debian packages, build the library, install the R package into the
#               user's R library, run the demo analysis (C API + R).
#   make check  same install step, build with -Werror, run Catch2 + C API + install tests, the same
#               under ASan/UBSan, R CMD check and the testthat suite; last line "check: N passed, N failed".
JOBS ?= 2
BUILD ?= build

.PHONY: all deps build demo check rpkg r-install clean
all: build

deps:
	bash scripts/install-deps

build: deps
	cmake -S . -B $(BUILD) -DHETMOD_WERROR=ON
	cmake --build $(BUILD) -j $(JOBS)

r-install: deps
	bash scripts/r-install

demo: build r-install
	bash examples/run-demo $(BUILD)

check: deps
	bash scripts/check

clean:
	rm -rf build build-asan rpkg/src/hetmod rpkg/src/*.o rpkg/src/*.so
