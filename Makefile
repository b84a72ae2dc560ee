# keygate - Keystone v3 compatible identity service and NFQUEUE token gateway.
#
#   make              build build/keygate and build/keygate-gateway
#   make run          create ./data, bootstrap an admin, serve on 127.0.0.1:5000
#   make test         build and run every test (unit, integration, conformance, gateway)
#   make check-asan   the same under AddressSanitizer + UBSan, into build-asan/
#   make bench        throughput/latency/RSS figures with wrk
#   make bench-gateway keygate-gateway vs. no queue, between namespaces (root)
#   make fuzz         the libFuzzer targets in build/fuzz/ (tests/fuzz/)
#   make fuzz-long    run each fuzz target 10 minutes
#   make analyze      scan-build (security checkers) and cppcheck; fails on any finding
#   make test-fresh   make test in a fresh debian:bookworm-slim container
#   make test-container  build and exercise the Docker image (docker/)
#
# Variants are built by re-invoking make with B= and SAN= (as Redis does),
# so a command-line CFLAGS never drops the sanitizer flags.

B	?= build
SAN	?=
OPT	?= -O2
PREFIX	?= /usr/local
DESTDIR	?=

PKGS	 = libmicrohttpd jansson libjwt sqlite3 libpq openssl inih libcrypt yaml-0.1 libpcre2-8
GWPKGS	 = libnetfilter_queue libnetfilter_conntrack libmnl jansson openssl libcurl inih
TESTPKGS = libcurl jansson openssl

WARN	 = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wpointer-arith -Wno-unused-parameter
CFLAGS	?= $(OPT) -g
KG_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) -MMD -MP -I. -I$(B)/gen \
	   $(SAN) $(CFLAGS) $(shell pkg-config --cflags $(PKGS) $(GWPKGS) 2>/dev/null)
KG_LDFLAGS = $(SAN) $(LDFLAGS) -pthread

obj	 = $(patsubst %.c,$(B)/%.o,$(1))

COMMON_SRC  = $(wildcard common/*.c)
# common/conf.c needs libinih: only the two daemons' libraries link it.
COMMON_NOCONF = $(filter-out common/conf.c,$(COMMON_SRC))
AUTH_SRC    = $(wildcard auth/*.c)
STORE_SRC   = $(wildcard store/*.c)
SVC_SRC     = $(wildcard svc/*.c)
SERVER_SRC  = $(filter-out server/main.c,$(wildcard server/*.c))
GW_SRC      = $(filter-out gateway/main.c gateway/fuzz_%.c,$(wildcard gateway/*.c))
# The gateway checks tokens offline: it links only the pure part of auth/,
# the same code keygate runs (signatures, claims, the revocation rule); its
# JWKS parsing and policy live in gateway/gwauth.c, gateway/gwpolicy.c.
GW_AUTH_SRC = $(filter auth/jwt.c auth/claims.c auth/revocation.c,$(AUTH_SRC))

LIBKG	 = $(B)/libkeygate.a
LIBGW	 = $(B)/libkggw.a
SCHEMA_C = $(B)/gen/schema_sql.c

UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))
IT_SRC	 = $(wildcard tests/integration/it_*.c)
IT_BIN	 = $(patsubst tests/integration/%.c,$(B)/tests/%,$(IT_SRC))
IT_LIB	 = $(call obj,tests/integration/it.c)

all: $(B)/keygate $(B)/keygate-gateway

deps:
	@scripts/install-deps build

$(B)/%.o: %.c
	@mkdir -p $(@D)
	@$(CC) $(KG_CFLAGS) -c -o $@ $<
	@echo "  CC $<"

SCHEMA_SQLITE = $(sort $(wildcard schema/*.sql))
SCHEMA_PG     = $(sort $(wildcard schema/pg/*.sql))

$(SCHEMA_C): $(SCHEMA_SQLITE) $(SCHEMA_PG) scripts/embed-sql
	@mkdir -p $(@D)
	scripts/embed-sql kg_migrations $(SCHEMA_SQLITE) kg_migrations_pg $(SCHEMA_PG) \
	    > $@.tmp && mv $@.tmp $@

$(B)/gen/schema_sql.o: $(SCHEMA_C)
	@$(CC) $(KG_CFLAGS) -c -o $@ $<
	@echo "  CC $<"

$(LIBKG): $(call obj,$(COMMON_SRC) $(AUTH_SRC) $(STORE_SRC) $(SVC_SRC) $(SERVER_SRC)) \
	    $(B)/gen/schema_sql.o
	@rm -f $@
	$(AR) rcs $@ $^

$(LIBGW): $(call obj,$(GW_SRC) $(GW_AUTH_SRC) $(COMMON_SRC))
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/keygate: $(call obj,server/main.c) $(LIBKG)
	$(CC) $(KG_LDFLAGS) -o $@ $^ $(shell pkg-config --libs $(PKGS))

$(B)/keygate-gateway: $(call obj,gateway/main.c) $(LIBGW)
	$(CC) $(KG_LDFLAGS) -o $@ $^ $(shell pkg-config --libs $(GWPKGS))

# Unit tests link the whole core library (and the gateway's, for its tests).
$(B)/tests/test_%: $(call obj,tests/unit/test_%.c) $(LIBKG) $(LIBGW)
	@mkdir -p $(@D)
	$(CC) $(KG_LDFLAGS) -o $@ $^ $(shell pkg-config --libs $(PKGS) $(GWPKGS))

# Integration tests only speak HTTP to the real binary.
$(B)/tests/it_%: $(call obj,tests/integration/it_%.c) $(IT_LIB) $(call obj,$(COMMON_NOCONF))
	@mkdir -p $(@D)
	$(CC) $(KG_LDFLAGS) -o $@ $^ $(shell pkg-config --libs $(TESTPKGS))

# libFuzzer targets (clang; README "Hardening"): fuzz_http (the whole
# request path in process), fuzz_token (JWS framing, header, claims and
# validation against a real store), fuzz_pkt (the gateway's parsers and
# reassembly). Their objects are built apart, instrumented for coverage
# and under ASan + UBSan, in $(B)/fuzz/.
FZ	 = $(B)/fuzz
FUZZ_BIN = $(FZ)/fuzz_http $(FZ)/fuzz_token $(FZ)/fuzz_pkt
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -MMD -MP \
	   -I. -I$(B)/gen $(WARN) -fsanitize=address,undefined \
	   -fno-sanitize-recover=all \
	   $(shell pkg-config --cflags $(PKGS) $(GWPKGS) 2>/dev/null)
FUZZ_CORE = $(COMMON_SRC) $(AUTH_SRC) $(STORE_SRC) $(SVC_SRC) $(SERVER_SRC) \
	   tests/fuzz/fuzz_env.c
FUZZ_PKT_SRC = gateway/pkt.c gateway/h1.c gateway/gwpolicy.c gateway/gwauth.c \
	   gateway/verdict.c gateway/stats.c auth/jwt.c auth/claims.c auth/revocation.c \
	   $(COMMON_NOCONF)
fzobj	 = $(patsubst %.c,$(FZ)/%.o,$(1))

# clang; make analyze builds the harnesses' objects through the analyzer.
FUZZCC	?= clang

$(FZ)/%.o: %.c
	@mkdir -p $(@D)
	@$(FUZZCC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<
	@echo "  FUZZCC $<"

$(FZ)/gen/schema_sql.o: $(SCHEMA_C)
	@mkdir -p $(@D)
	@$(FUZZCC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FZ)/fuzz_http: $(call fzobj,tests/fuzz/fuzz_http.c $(FUZZ_CORE)) $(FZ)/gen/schema_sql.o
	clang -fsanitize=fuzzer,address,undefined -o $@ $^ -pthread \
	    $(shell pkg-config --libs $(PKGS))

$(FZ)/fuzz_token: $(call fzobj,tests/fuzz/fuzz_token.c $(FUZZ_CORE)) $(FZ)/gen/schema_sql.o
	clang -fsanitize=fuzzer,address,undefined -o $@ $^ -pthread \
	    $(shell pkg-config --libs $(PKGS))

$(FZ)/fuzz_pkt: $(call fzobj,gateway/fuzz_pkt.c $(FUZZ_PKT_SRC))
	clang -fsanitize=fuzzer,address,undefined -o $@ $^ -pthread \
	    $(shell pkg-config --libs jansson openssl)

fuzz: $(FUZZ_BIN)

# Each target for FUZZ_SECONDS (default 600) from its committed seeds.
fuzz-long: $(FUZZ_BIN)
	FUZZ_SECONDS=$${FUZZ_SECONDS:-600} sh tests/fuzz/run.sh $(B)

# Static analysis, failing on any finding (README "Static analysis"):
# clang's analyzer through scan-build over every C file (the daemons, the
# unit and integration tests, the fuzz harnesses), with the security
# checkers on, and cppcheck. Suppressions live next to the code they
# silence, with the reason; the one checker turned off is
# security.insecureAPI.DeprecatedOrUnsafeBufferHandling, which flags every
# memcpy, memset and snprintf and asks for C11 Annex K's *_s functions,
# which glibc does not provide.
AB		= build-analyze
SCAN_CHECKERS	= -enable-checker security \
		  -disable-checker security.insecureAPI.DeprecatedOrUnsafeBufferHandling \
		  -enable-checker unix -enable-checker nullability \
		  -enable-checker deadcode -enable-checker optin.portability.UnixAPI
CPPCHECK_FLAGS	= -q --std=c11 --enable=warning,portability,performance \
		  --inline-suppr --error-exitcode=1 -D_GNU_SOURCE -I. \
		  --suppress=missingIncludeSystem -j2

analyze:
	@scripts/install-deps analyze
	rm -rf $(AB)
	scan-build --use-cc=clang --status-bugs -o $(AB)/scan $(SCAN_CHECKERS) \
	    $(MAKE) B=$(AB) FUZZCC='$$(CC)' analyze-objects
	cppcheck $(CPPCHECK_FLAGS) common auth store svc server gateway tests
	@echo "analyze: no findings"

# Everything make analyze looks at (scan-build wraps $(CC); the fuzz
# harnesses are compiled with $(FUZZCC), which it also wraps: see above).
analyze-objects: all $(UNIT_BIN) $(IT_BIN) \
	    $(call fzobj,tests/fuzz/fuzz_http.c tests/fuzz/fuzz_token.c \
	    tests/fuzz/fuzz_env.c gateway/fuzz_pkt.c)

# keygate-gateway vs. the same rules without the queue, between namespaces
bench-gateway: all
	@scripts/install-deps bench
	tests/bench/bench-gateway $(B)

tests: all $(UNIT_BIN) $(IT_BIN) $(FUZZ_BIN)

test: deps-test tests
	tests/run $(B)

deps-test:
	@scripts/install-deps test

check: test

# The fuzz targets are ASan + UBSan builds in either suite and make test
# gives them 60 s each: here 15 s each (their seeds, then a short run).
check-asan:
	FUZZ_SECONDS=$${FUZZ_SECONDS:-15} $(MAKE) B=build-asan OPT=-O1 \
	    SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" test

run: deps all
	scripts/run-dev $(B)

test-container:
	sh tests/container/run.sh $(B)

# The README's test command in a fresh debian:bookworm-slim container, on
# the committed tree: an install step missing from scripts/install-deps
# fails here (tests/container/fresh.sh).
test-fresh:
	sh tests/container/fresh.sh $(B)

bench: all
	@scripts/install-deps bench
	tests/bench/bench-server $(B)

# install: binaries, systemd units (paths filled in), the sysusers.d entry
# for the keygate user, man pages, and the sample configuration (also as
# SYSCONFDIR/keygate/keygate.conf unless one exists). Honors DESTDIR.
BINDIR	  ?= $(PREFIX)/bin
MANDIR	  ?= $(PREFIX)/share/man
DOCDIR	  ?= $(PREFIX)/share/doc/keygate
UNITDIR	  ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
SYSCONFDIR ?= /etc

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(DOCDIR)
	install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/keygate
	install -m 0755 $(B)/keygate $(B)/keygate-gateway $(DESTDIR)$(BINDIR)/
	for u in keygate keygate-gateway; do \
	    sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	        dist/systemd/$$u.service > $(DESTDIR)$(UNITDIR)/$$u.service.tmp && \
	    chmod 0644 $(DESTDIR)$(UNITDIR)/$$u.service.tmp && \
	    mv $(DESTDIR)$(UNITDIR)/$$u.service.tmp $(DESTDIR)$(UNITDIR)/$$u.service || exit 1; \
	done
	install -m 0644 dist/systemd/keygate.sysusers $(DESTDIR)$(SYSUSERSDIR)/keygate.conf
	install -m 0644 dist/man/keygate.8 dist/man/keygate-gateway.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 dist/man/keygate.conf.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 keygate.conf $(DESTDIR)$(DOCDIR)/keygate.conf.sample
	install -m 0644 gateway/keygate-gateway.conf $(DESTDIR)$(DOCDIR)/keygate-gateway.conf.sample
	install -m 0644 gateway/gateway.policy $(DESTDIR)$(DOCDIR)/gateway.policy.sample
	test -e $(DESTDIR)$(SYSCONFDIR)/keygate/keygate.conf || \
	    install -m 0644 keygate.conf $(DESTDIR)$(SYSCONFDIR)/keygate/keygate.conf

clean:
	rm -rf build build-asan build-analyze

.PHONY: all deps deps-test tests test check check-asan run bench bench-gateway fuzz fuzz-long \
	analyze analyze-objects test-fresh \
	install clean test-container
.SECONDARY:

-include $(shell find $(B) -name '*.d' 2>/dev/null)
