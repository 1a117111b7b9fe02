# Dependencies through pkg-config. Debian's libev-dev ships no .pc file, so it falls back to -lev.
PKGS := luajit openssl zlib jansson
DEP_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
DEP_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) \
            $(shell pkg-config --libs libev 2>/dev/null || echo -lev) -lm
TEST_CFLAGS := $(shell pkg-config --cflags cmocka 2>/dev/null)
TEST_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)
