# Tests: one cmocka binary per tests/unit/<module>/test_<file>.c, integration scripts
# tests/integration/t_*.sh, and examples. tests/run.sh runs them all and prints the
# final "N passed, N failed" line.
UNIT_SRC := $(shell find tests/unit -name 'test_*.c' 2>/dev/null | sort)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/unit/%)

$(BUILD)/tests/unit/%: tests/unit/%.c $(LIBTG)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(DEP_CFLAGS) $(TEST_CFLAGS) -Isrc -Itests -MMD -MP $< -o $@ \
	    $(LDFLAGS) $(LIBTG) $(TEST_LIBS) $(DEP_LIBS)

unit: $(UNIT_BIN)

test:
	@scripts/deps.sh test
	@$(MAKE) --no-print-directory all unit
	@TG_BIN=$(abspath $(BIN)) TG_BUILD=$(abspath $(BUILD)) tests/run.sh $(UNIT_BIN)

.PHONY: unit test
