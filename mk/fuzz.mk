# libFuzzer targets: tests/fuzz/fuzz_<target>.c, seeds in tests/fuzz/corpus/<target>/.
# fuzz-smoke rebuilds with clang (FUZZ=1) and runs each target for FUZZ_SECONDS.
FUZZ_SECONDS ?= 20
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)

ifeq ($(FUZZ),1)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/tests/fuzz/%)
$(BUILD)/tests/fuzz/%: tests/fuzz/%.c $(LIBTG)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(DEP_CFLAGS) -Isrc -fsanitize=fuzzer $< -o $@ $(LDFLAGS) $(LIBTG) $(DEP_LIBS)
fuzz-build: $(FUZZ_BIN)
fuzz-run: $(FUZZ_BIN)
	@set -e; for f in $(FUZZ_BIN); do \
	    name=$$(basename $$f | sed 's/^fuzz_//'); mkdir -p build/fuzz-corpus/$$name; \
	    echo "fuzz: $$name for $(FUZZ_SECONDS)s"; \
	    $$f -max_total_time=$(FUZZ_SECONDS) -max_len=65536 build/fuzz-corpus/$$name tests/fuzz/corpus/$$name; \
	done
endif

fuzz-smoke:
	@scripts/deps.sh test
	@$(MAKE) --no-print-directory FUZZ=1 fuzz-run

.PHONY: fuzz-smoke fuzz-build fuzz-run
