#!/bin/sh
# install.sh - "make install DESTDIR=..." installs the binaries, the systemd
# units (paths filled in, valid for systemd-analyze), the sysusers.d entry,
# lint-clean man pages and a sample configuration that documents every
# option with its default; a second install keeps an edited configuration.
. "$(dirname "$0")/../lib.sh"

D=$(mktemp -d /tmp/kg-install-XXXXXX)
trap 'rm -rf "$D"' EXIT
P=/usr/local
# The environment must not change what "serve -n" prints.
for v in $(env | sed -n 's/^\(KEYGATE_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done

ok inst-1.1 make -s install B="$KG_BUILD" DESTDIR="$D" PREFIX=$P
for f in bin/keygate bin/keygate-gateway; do
	ok "inst-2.1 $f executable" test -x "$D$P/$f"
done
for f in lib/systemd/system/keygate.service lib/systemd/system/keygate-gateway.service \
    lib/sysusers.d/keygate.conf share/man/man8/keygate.8 \
    share/man/man8/keygate-gateway.8 share/man/man5/keygate.conf.5 \
    share/doc/keygate/keygate.conf.sample; do
	ok "inst-2.2 $f" test -s "$D$P/$f"
done
ok inst-2.3 test -s "$D/etc/keygate/keygate.conf"
ok inst-2.4 "$D$P/bin/keygate" version

U="$D$P/lib/systemd/system"
fails inst-3.1 grep -l '@[A-Z]*@' "$U/keygate.service" "$U/keygate-gateway.service"
ok inst-3.2 grep -q "^ExecStart=$P/bin/keygate serve -f /etc/keygate/keygate.conf\$" \
    "$U/keygate.service"
ok inst-3.3 grep -q "^ExecStart=$P/bin/keygate-gateway " "$U/keygate-gateway.service"
ok inst-3.4 grep -q '^AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW$' "$U/keygate-gateway.service"
for k in NoNewPrivileges=yes ProtectSystem=strict StateDirectory=keygate \
    User=keygate PrivateTmp=yes; do
	ok "inst-3.5 keygate.service $k" grep -q "^$k\$" "$U/keygate.service"
done
ok inst-3.6 grep -q '^u keygate ' "$D$P/lib/sysusers.d/keygate.conf"
if command -v systemd-analyze >/dev/null 2>&1; then
	# Verify copies whose ExecStart points into DESTDIR (the binaries exist).
	mkdir "$D/verify"
	for u in keygate keygate-gateway; do
		sed "s|$P/bin/|$D$P/bin/|g" "$U/$u.service" > "$D/verify/$u.service"
	done
	ok inst-3.7 systemd-analyze verify --man=no "$D/verify/keygate.service" \
	    "$D/verify/keygate-gateway.service"
fi

M="$D$P/share/man"
for m in man8/keygate.8 man8/keygate-gateway.8 man5/keygate.conf.5; do
	if command -v mandoc >/dev/null 2>&1; then
		ok "inst-4.1 mandoc lint $m" sh -c "! mandoc -T lint -W warning '$M/$m' | grep ."
	else
		ok "inst-4.1 groff lint $m" sh -c "! groff -man -ww -z '$M/$m' 2>&1 | grep ."
	fi
	ok "inst-4.2 renders $m" sh -c "MANWIDTH=80 man -l '$M/$m' 2>/dev/null | grep -q NAME"
done
ok inst-4.3 sh -c "MANPATH='$M' man -w keygate.conf | grep -q man5/keygate.conf.5"

# The sample sets every option to its default: same effective configuration.
"$KG_BUILD/keygate" serve -n > "$D/defaults" 2>&1
"$D$P/bin/keygate" serve -n -f "$D/etc/keygate/keygate.conf" > "$D/sample" 2>&1
ok inst-5.1 grep -q 'configuration OK' "$D/sample"
ok inst-5.2 cmp "$D/defaults" "$D/sample"
# ... and the sample and keygate.conf(5) name every option.
sed -n 's/^\([a-z_]*\)\.\([a-z_]*\) = .*/\1 \2/p' "$D/defaults" > "$D/opts"
ok inst-5.3 test "$(wc -l < "$D/opts")" -ge 15
while read -r sec opt; do
	ok "inst-5.4 sample documents [$sec] $opt" sh -c "sed -n '/^\[$sec\]/,/^\[/p' \
	    '$D$P/share/doc/keygate/keygate.conf.sample' | grep -q '^$opt ='"
	ok "inst-5.5 keygate.conf(5) documents $sec.$opt" sh -c \
	    "MANWIDTH=200 man -l '$M/man5/keygate.conf.5' 2>/dev/null | grep -q '^ *$opt (default'"
done < "$D/opts"

# A second install keeps the administrator's configuration.
echo "# edited" >> "$D/etc/keygate/keygate.conf"
ok inst-6.1 make -s install B="$KG_BUILD" DESTDIR="$D" PREFIX=$P
ok inst-6.2 grep -q '^# edited$' "$D/etc/keygate/keygate.conf"

# Other prefixes land where asked.
ok inst-7.1 make -s install B="$KG_BUILD" DESTDIR="$D/alt" PREFIX=/usr SYSCONFDIR=/etc
ok inst-7.2 test -x "$D/alt/usr/bin/keygate"
ok inst-7.3 grep -q '^ExecStart=/usr/bin/keygate serve ' \
    "$D/alt/usr/lib/systemd/system/keygate.service"
# The image builds from what docker/Dockerfile copies: every directory whose
# sources the Makefile compiles must be copied and not ignored (the image
# once failed to build when svc/ was added to the Makefile only).
for dir in $(sed -n 's/.*\$(wildcard \([a-z]*\)\/\*\.c).*/\1/p' Makefile | sort -u); do
	[ "$dir" = tests ] && continue
	ok "inst-8.1 docker/Dockerfile copies $dir/" grep -q "^COPY $dir/ $dir/\$" docker/Dockerfile
	fails "inst-8.2 .dockerignore keeps $dir/" grep -qx "$dir/*" .dockerignore
done
finish
