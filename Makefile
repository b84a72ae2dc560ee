# keygate - Keystone v3 compatible identity service and NFQUEUE token gateway.
#
#   make              build build/keygate and build/keygate-gateway
#   make run          create ./data, bootstrap an admin, serve on 127.0.0.1:5000
#   make test         build and run every test (unit, integration, conformance, gateway)
#   make check-asan   the same under AddressSanitizer + UBSan, into build-asan/
#   make bench        throughput/latency/RSS figures with wrk
#   make bench-gateway keygate-gateway vs. no queue, between namespaces (root)
#   make fuzz         build/fuzz_pkt, the gateway parsers' libFuzzer target
#   make test-container  build and exercise the Docker image (docker/)
#
# Variants are built by re-invoking make with B= and SAN= (as Redis does),
# so a command-line CFLAGS never drops the sanitizer flags.

B	?= build
SAN	?=
OPT	?= -O2
PREFIX	?= /usr/local
DESTDIR	?=

PKGS	 = libmicrohttpd jansson libjwt sqlite3 openssl inih libcrypt yaml-0.1
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

$(SCHEMA_C): $(sort $(wildcard schema/*.sql)) scripts/embed-sql
	@mkdir -p $(@D)
	scripts/embed-sql $(sort $(wildcard schema/*.sql)) > $@.tmp && mv $@.tmp $@

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

# libFuzzer target for the gateway's parsers and reassembly (clang only).
FUZZ_SRC = gateway/pkt.c gateway/h1.c gateway/gwpolicy.c gateway/gwauth.c gateway/verdict.c \
	   gateway/stats.c auth/jwt.c auth/claims.c auth/revocation.c $(COMMON_NOCONF)
FUZZ_BIN = $(B)/fuzz_pkt

$(FUZZ_BIN): gateway/fuzz_pkt.c $(FUZZ_SRC) $(wildcard gateway/*.h)
	@mkdir -p $(@D)
	clang -std=c11 -D_GNU_SOURCE -g -O1 -I. -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=all $(shell pkg-config --cflags jansson openssl) \
	    -o $@ gateway/fuzz_pkt.c $(FUZZ_SRC) -pthread \
	    $(shell pkg-config --libs jansson openssl)

fuzz: $(FUZZ_BIN)

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

check-asan:
	$(MAKE) B=build-asan OPT=-O1 \
	    SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" test

run: deps all
	scripts/run-dev $(B)

test-container:
	sh tests/container/run.sh $(B)

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
	rm -rf build build-asan

.PHONY: all deps deps-test tests test check check-asan run bench bench-gateway fuzz \
	install clean test-container
.SECONDARY:

-include $(shell find $(B) -name '*.d' 2>/dev/null)
