# make format rewrites sources with clang-format; make lint checks format and that the
# hot-path parser objects import no allocator, stdio or lock symbols (nm -u).
FMT_SRC := $(shell find src tests -name '*.[ch]' 2>/dev/null)
HOT_OBJ := $(BUILD)/src/http/h1_parse.o $(BUILD)/src/http/chunked.o $(BUILD)/src/metrics/hist.o \
           $(BUILD)/src/ws/ws_frame.o $(BUILD)/src/ws/ws_msg.o $(BUILD)/src/ws/ws_utf8.o \
           $(BUILD)/src/ws/ws_close.o $(BUILD)/src/sse/sse_parse.o

format:
	clang-format -i $(FMT_SRC)

lint: $(HOT_OBJ)
	@clang-format --dry-run --Werror $(FMT_SRC)
	@bad=$$(nm -u $(HOT_OBJ) | grep -E ' (malloc|calloc|realloc|free|printf|fprintf|sprintf|snprintf|puts|fputs|pthread_mutex_lock)$$' || true); \
	if [ -n "$$bad" ]; then echo "lint: hot-path objects import: $$bad"; exit 1; fi
	@echo "lint: ok"

.PHONY: format lint
