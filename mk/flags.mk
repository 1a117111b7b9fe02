# Compiler flags and build variants: SAN=1 (ASan+UBSan), COV=1 (gcov), FUZZ=1 (clang, libFuzzer).
CC ?= gcc
WARN := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wformat=2 -Wvla -Wcast-qual -Wwrite-strings -Wimplicit-fallthrough -Wundef
CFLAGS := -std=c17 -D_GNU_SOURCE -pthread $(WARN) -g
LDFLAGS := -pthread

ifeq ($(CI),true)
CFLAGS += -Werror
endif

ifeq ($(FUZZ),1)
CC := clang
VARIANT := fuzz
CFLAGS += -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -DTG_FUZZ=1
LDFLAGS += -fsanitize=address,undefined
else ifeq ($(SAN),1)
VARIANT := san
CFLAGS += -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
else ifeq ($(COV),1)
VARIANT := cov
CFLAGS += -O0 --coverage
LDFLAGS += --coverage
else
VARIANT := release
CFLAGS += -O2
endif

BUILD := build/$(VARIANT)
