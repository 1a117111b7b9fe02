# tailgate — one non-recursive GNU Makefile (see mk/*.mk).
#   make            build build/release/tailgate
#   make demo       install deps, build, run a load test against the built-in target
#   make test       install deps, build, run unit + integration + example tests
#   make SAN=1 test the same under ASan+UBSan
#   make fuzz-smoke build the libFuzzer targets with clang and run each briefly
.DEFAULT_GOAL := all

include mk/flags.mk
include mk/deps.mk

SRC_ALL  := $(shell find src -name '*.c' | sort)
SRC_LIB  := $(filter-out src/main.c,$(SRC_ALL))
OBJ_LIB  := $(SRC_LIB:%.c=$(BUILD)/%.o)
OBJ_MAIN := $(BUILD)/src/main.o
BIN      := $(BUILD)/tailgate
LIBTG    := $(BUILD)/libtailgate.a

all: $(BIN)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(DEP_CFLAGS) -Isrc -MMD -MP -c $< -o $@

$(LIBTG): $(OBJ_LIB)
	@rm -f $@
	$(AR) rcs $@ $^

$(BIN): $(OBJ_MAIN) $(LIBTG)
	$(CC) $(LDFLAGS) -o $@ $(OBJ_MAIN) $(LIBTG) $(DEP_LIBS)

include mk/test.mk
include mk/fuzz.mk
include mk/lint.mk

deps:
	@scripts/deps.sh test

demo:
	@scripts/deps.sh build
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh $(BIN)

clean:
	rm -rf build

.PHONY: all deps demo clean

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
