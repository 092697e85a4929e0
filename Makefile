# AsyncRef — build, test and run the conformance oracle.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE := 1
export COYOTE_CLI_TELEMETRY_OPTOUT := 1

CONFIG ?= Debug
ARTIFACTS := artifacts
ADAPTER := $(ARTIFACTS)/asyncref-openssl
CLI := $(ARTIFACTS)/asyncref
ADAPTER_SRC := $(wildcard src/adapters/openssl/*.c src/adapters/openssl/*.h)
TRACER := $(ARTIFACTS)/libasyncref-trace.so
TRACER_SRC := $(wildcard src/tracer/*.c src/tracer/*.h)

.PHONY: all build restore adapter cli test run matrix matrix-spec bench diagrams clean coyote-campaign property-campaign differential-campaign

all: build

restore:
	dotnet restore AsyncRef.sln

build: restore adapter tracer cli
	dotnet build AsyncRef.sln -c $(CONFIG) --no-restore

adapter: $(ADAPTER)

$(ADAPTER): $(ADAPTER_SRC)
	@mkdir -p $(ARTIFACTS)
	gcc -std=gnu11 -O2 -Wall -Wextra -Werror -pthread -o $@ src/adapters/openssl/*.c -lcrypto

# The LD_PRELOAD tracer of real programs' ASYNC calls (spec/trace-format.md).
.PHONY: tracer
tracer: $(TRACER)

$(TRACER): $(TRACER_SRC)
	@mkdir -p $(ARTIFACTS)
	gcc -std=gnu11 -O2 -fPIC -shared -Wall -Wextra -Werror -pthread -o $@ src/tracer/*.c -ldl

# Real programs that pause ASYNC jobs (openssl speed, s_server/s_client, HAProxy with dasync), traced and checked.
.PHONY: real-clients
real-clients: tracer cli
	bash tools/real-clients/run.sh

cli: restore
	dotnet publish src/AsyncRef.Cli -c Release --no-restore -o $(ARTIFACTS)/asyncref.d
	@printf '#!/bin/sh\nexec dotnet "$$(dirname "$$(readlink -f "$$0")")/asyncref.d/AsyncRef.Cli.dll" "$$@"\n' > $(CLI)
	@chmod +x $(CLI)

# Every test project plus the adapter's self-test and the package checks (make pack); the last line sums them all.
test: build
	@rm -f .test.log
	@status=0; \
	dotnet test AsyncRef.sln -c $(CONFIG) --no-build 2>&1 | tee -a .test.log || status=1; \
	dotnet test examples/hunt-your-engine -c $(CONFIG) 2>&1 | tee -a .test.log || status=1; \
	bash tests/adapter/run-adapter-tests.sh 2>&1 | tee -a .test.log || status=1; \
	$(MAKE) --no-print-directory pack 2>&1 | tee -a .test.log || status=1; \
	awk '/^(Passed|Failed)!/ { for (i=1;i<=NF;i++) { if ($$i=="Passed:") p+=$$(i+1); if ($$i=="Failed:") f+=$$(i+1) } } \
	     /^[0-9]+ passed, [0-9]+ failed$$/ { p+=$$1; f+=$$3 } \
	     END { printf "%d passed, %d failed\n", p, f; exit (f > 0) }' .test.log || status=1; \
	exit $$status

# The main job: the conformance corpus through the reference and through real libcrypto.
run: build
	$(CLI) check --impl $(ADAPTER) spec/cases

# Long explorations, kept out of `make test`.
COYOTE_CAMPAIGN_ITERS ?= 5000
coyote-campaign: build
	ASYNCREF_HUNT_ITERATIONS=$(COYOTE_CAMPAIGN_ITERS) dotnet test tests/Systematic -c $(CONFIG) --no-build

# The bug hunt: every correct engine/loop for HUNT_ITERS iterations, every planted bug under each of HUNT_SEEDS.
# Hunts run a Release build of tests/Systematic (HUNT_CONFIG): 15-20% more iterations per second than Debug (README),
# with HUNT_WORKERS parallel explorations (default one per core; the bugs found do not depend on it).
HUNT_ITERS ?= 10000
HUNT_SEEDS ?= 1 2 3 4 5
HUNT_WORKERS ?= $(shell nproc)
HUNT_CONFIG ?= Release
.PHONY: hunt hunt-rate hunt-build
hunt-build: restore
	dotnet build tests/Systematic -c $(HUNT_CONFIG) --no-restore

hunt: hunt-build
	CONFIG=$(HUNT_CONFIG) HUNT_ITERS=$(HUNT_ITERS) HUNT_SEEDS="$(HUNT_SEEDS)" HUNT_WORKERS=$(HUNT_WORKERS) bash tests/Systematic/run-hunt.sh

# Iterations per second of the standard engine test (Correct_StableFd), HUNT_RATE_RUNS runs of HUNT_RATE_ITERS each per
# worker count of HUNT_RATE_WORKERS (alternating: one worker, then one per core).
HUNT_RATE_RUNS ?= 3
HUNT_RATE_ITERS ?= 10000
HUNT_RATE_WORKERS ?= 1 $(shell nproc)
hunt-rate: hunt-build
	CONFIG=$(HUNT_CONFIG) HUNT_RATE_RUNS=$(HUNT_RATE_RUNS) HUNT_RATE_ITERS=$(HUNT_RATE_ITERS) HUNT_RATE_WORKERS="$(HUNT_RATE_WORKERS)" bash tests/Systematic/hunt-rate.sh

PROPERTY_CAMPAIGN_TESTS ?= 20000
property-campaign: build
	ASYNCREF_PROPERTY_TESTS=$(PROPERTY_CAMPAIGN_TESTS) dotnet test tests/Property -c $(CONFIG) --no-build

DIFFERENTIAL_CAMPAIGN_TESTS ?= 20000
differential-campaign: build
	ASYNCREF_DIFFERENTIAL_TESTS=$(DIFFERENTIAL_CAMPAIGN_TESTS) dotnet test tests/Property -c $(CONFIG) --no-build --filter "FullyQualifiedName~Differential"

# The version matrix: the corpus and a differential campaign through libcrypto of each release, built from Debian
# sources and cached under artifacts/openssl/ (tools/openssl/README.md). Minutes cold, seconds warm; not in `make test`.
MATRIX_VERSIONS ?= 1.1.1w 3.0 3.5 3.6 4.0
MATRIX_CAMPAIGN_COUNT ?= 20000
matrix: build
	python3 tools/openssl/matrix.py --versions "$(MATRIX_VERSIONS)" --campaign-count $(MATRIX_CAMPAIGN_COUNT)

# Keeps the last matrix run in the spec: spec/matrix.json, the rules' "Checked on" lines, spec/version-differences.md.
matrix-spec:
	cp artifacts/matrix/matrix.json spec/matrix.json
	python3 tools/openssl/annotate.py

# Benchmarks of the reference against libcrypto (Release, checked mode off and on); run-bench.sh about 5 minutes.
bench: tracer cli adapter
	bash bench/run-bench.sh
	@# the trace bench needs the dasync engine, which make real-clients builds from the OpenSSL source package
	[ -f $(ARTIFACTS)/real-clients/dasync.so ] || $(MAKE) real-clients
	bash bench/trace-bench.sh
	bash bench/scenario-bench.sh

# Regenerates spec/diagrams/ and the copies embedded in spec/semantics.md from the Stateless models.
diagrams: build
	ASYNCREF_UPDATE_DIAGRAMS=1 dotnet test tests/Conformance -c $(CONFIG) --no-build --filter "FullyQualifiedName~Diagrams"

clean:
	rm -rf $(ARTIFACTS) .test.log
	dotnet clean AsyncRef.sln >/dev/null

# Differential campaigns (`asyncref fuzz`, `asyncref enumerate`; `make test` runs short ones in tests/Campaigns).
# The default seed is the time, printed in the report's first line so the campaign can be replayed.
.PHONY: fuzz-campaign enumerate-campaign mutation
FUZZ_SEED ?= $(shell date +%s)
FUZZ_COUNT ?= 100000
fuzz-campaign: build
	$(CLI) fuzz --impl $(ADAPTER) --seed $(FUZZ_SEED) --count $(FUZZ_COUNT) --out $(ARTIFACTS)/campaigns/fuzz-$(FUZZ_SEED)

# ENUM_SHARDS > 1 runs the shards one after another at the lowest priority, each with its own report.json (a long
# depth stopped part-way still says exactly what was done), then merges them.
ENUM_DEPTH ?= 4
ENUM_SHARDS ?= 1
ENUM_OUT = $(ARTIFACTS)/campaigns/enumerate-$(ENUM_DEPTH)
enumerate-campaign: build
	for i in $$(seq 0 $$(($(ENUM_SHARDS) - 1))); do \
		[ -f $(ENUM_OUT)/shard-$$i/report.json ] || \
		nice -n 19 $(CLI) enumerate --impl $(ADAPTER) --depth $(ENUM_DEPTH) --shard $$i/$(ENUM_SHARDS) --out $(ENUM_OUT)/shard-$$i || exit 1; \
	done
	$(CLI) merge $(ENUM_OUT)/shard-* --out $(ENUM_OUT)

# Mutation testing of src/AsyncRef (Runtime, WaitContext, Model) with Stryker.NET, a local tool
# (.config/dotnet-tools.json; settings in stryker-config.json: the in-process Conformance and Property tests,
# per-test coverage, the libcrypto-backed tests filtered out). It runs at the lowest priority; MUTATE narrows it
# to one folder, e.g. `make mutation MUTATE='**/Model/**/*.cs'`. Report: artifacts/mutation/reports/;
# tools/mutation/summarize.py turns its JSON into the tables of tests/mutation/REPORT.md (scores recorded there;
# Model before its mutation tests: 79.8%, 201 killed + 9 timeout / 30 survived / 23 no coverage, 23 min).
MUTATE ?=
mutation: build
	dotnet tool restore
	cd src/AsyncRef && VSTEST_CONNECTION_TIMEOUT=600 DOTNET_INFO_WAIT_TIME=120000 nice -n 19 dotnet stryker --config-file ../../stryker-config.json --output ../../$(ARTIFACTS)/mutation \
		--skip-version-check $(foreach m,$(MUTATE),--mutate '$(m)')
	python3 tools/mutation/summarize.py $(ARTIFACTS)/mutation/reports/mutation-report.json

# The spec's experiments (spec/experiments): compiled against the installed libcrypto and compared with the
# outputs recorded on libcrypto 3.0.19.
.PHONY: experiments
experiments:
	bash spec/experiments/run.sh --check

# check -j 2 --timeout 2 of the corpus against an implementation that never ends: the run's wall-clock time.
check-hang: build
	@start=$$(date +%s); \
	$(CLI) check -j 2 --timeout 2 --impl "sh -c 'sleep 600' sh" spec/cases > .check-hang.log; status=$$?; \
	elapsed=$$(( $$(date +%s) - start )); \
	tail -4 .check-hang.log; rm -f .check-hang.log; \
	echo "check-hang: $$elapsed s for the corpus (target: under 120 s), exit status $$status"; \
	[ $$status -eq 1 ] && [ $$elapsed -lt 120 ]

# NuGet packages into artifacts/packages: the libraries users reference (AsyncRef, AsyncRef.Testing) and the
# .NET tool AsyncRef.Cli (command `asyncref`), each with its README, XML docs and SourceLink; then checks them
# (tools/packaging/check_packages.py, also run by `make test`), the tool installed into a scratch folder.
PACKAGES := $(ARTIFACTS)/packages
PACKABLE := src/AsyncRef src/AsyncRef.Testing src/AsyncRef.Cli
.PHONY: pack
pack: restore
	rm -rf $(PACKAGES)
	for project in $(PACKABLE); do dotnet pack $$project -c Release --no-restore -o $(PACKAGES) || exit 1; done
	python3 tools/packaging/check_packages.py $(PACKAGES)

# The hostile-input campaign: FUZZ_INPUTS_COUNT mutated and generated files (every bound met and exceeded by one)
# through the reference and the adapter (--batch), at the lowest priority (so a hang is 60 s of wall-clock time:
# a starved process must not pass for a hung one); ends with the summary line
# `fuzz-inputs: N files (seed S), ..., D disagreements, ... crashes ..., H hangs ..., O out of memory, R files/s`.
.PHONY: fuzz-inputs
FUZZ_INPUTS_SEED ?= $(shell date +%s)
FUZZ_INPUTS_COUNT ?= 100000
fuzz-inputs: build
	nice -n 19 $(CLI) fuzz-inputs --timeout 60 --impl $(ADAPTER) --corpus spec/cases --seed $(FUZZ_INPUTS_SEED) --count $(FUZZ_INPUTS_COUNT) --out $(ARTIFACTS)/campaigns/fuzz-inputs-$(FUZZ_INPUTS_SEED)
