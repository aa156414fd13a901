# The project's front door. Every target installs what is missing first.
JOBS ?= 2
PORT ?= 8080
export CCACHE_MAXSIZE ?= 2G

SOURCES := $(shell git ls-files -co --exclude-standard -- 'src/*.cc' 'src/*.h' 'tests/*.cc' 'tests/*.h' 'bench/*.cc' 2>/dev/null)

.PHONY: all deps debug release tsan test demo bench format format-check tidy clean

all: release

deps:
	@scripts/install-deps.sh

build/debug/build.ninja: CMakePresets.json | deps
	cmake --preset debug >/dev/null
build/release/build.ninja: CMakePresets.json | deps
	cmake --preset release >/dev/null
build/tsan/build.ninja: CMakePresets.json | deps
	cmake --preset tsan >/dev/null

debug: deps build/debug/build.ninja
	cmake --build --preset debug -j $(JOBS)
release: deps build/release/build.ninja
	cmake --build --preset release -j $(JOBS)
tsan: deps build/tsan/build.ninja
	cmake --build --preset tsan -j $(JOBS)

# The whole suite, under AddressSanitizer and UndefinedBehaviorSanitizer.
test: format-check debug
	ctest --preset debug -j $(JOBS)

# Starts Parley with the embedded database and the demo data; Ctrl-C stops it.
demo: release
	build/release/parley demo --port $(PORT) --data parley-data/demo

bench: release
	build/release/parley_microbench --benchmark_min_time=0.2
	build/release/parley bench ingest --json
	build/release/parley bench inbox --json
	build/release/parley bench store --json
	build/release/parley bench api --json
	build/release/parley bench triage --json
	build/release/parley bench route --json

format: deps
	@clang-format -i $(SOURCES)

format-check: deps
	@clang-format --dry-run --Werror $(SOURCES)

tidy: debug
	@clang-tidy -p build/debug --quiet --extra-arg=-Wno-unknown-warning-option $(filter %.cc,$(SOURCES))

clean:
	rm -rf build
