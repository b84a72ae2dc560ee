# base.sh - the local debian:bookworm-slim base image, made with
# debootstrap (no registry is reachable here): sourced by run.sh (make
# test-container) and fresh.sh (make test-fresh).
#
#   make_base TARBALL LOGFILE   debootstrap --variant=minbase bookworm with
#                               the host's apt sources, upgraded and trimmed
#                               like the slim image, as a .tar.gz for
#                               `docker import`. Returns non-zero on failure.
make_base() {
	base_tar=$1
	base_log=$2
	root=$(mktemp -d /tmp/kg-bookworm-XXXXXX)
	mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null)
	echo "# debootstrap --variant=minbase bookworm ${mirror:-(default mirror)}"
	# shellcheck disable=SC2086
	debootstrap --variant=minbase bookworm "$root" $mirror >"$base_log" 2>&1 ||
	    return 1
	# The host's sources (bookworm, -updates, -security), as in the
	# official image; then the updates, then trim like the slim variant.
	if [ -f /etc/apt/sources.list.d/debian.sources ]; then
		cp /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/"
		rm -f "$root/etc/apt/sources.list"
	fi
	printf '%s\n' 'path-exclude /usr/share/doc/*' \
	    'path-include /usr/share/doc/*/copyright' 'path-exclude /usr/share/man/*' \
	    'path-exclude /usr/share/groff/*' 'path-exclude /usr/share/info/*' \
	    'path-exclude /usr/share/locale/*' 'path-exclude /usr/share/lintian/*' \
	    >"$root/etc/dpkg/dpkg.cfg.d/docker-slim"
	chroot "$root" sh -c 'export DEBIAN_FRONTEND=noninteractive;
	    apt-get update -qq && apt-get -y -qq upgrade && apt-get clean' \
	    >>"$base_log" 2>&1 || return 1
	rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin \
	    "$root"/var/log/* "$root"/usr/share/man/* "$root"/usr/share/info/* \
	    "$root"/usr/share/locale/* "$root"/tmp/*
	find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
	tar --numeric-owner -C "$root" --exclude=./dev/* --exclude=./proc/* \
	    --exclude=./sys/* -czf "$base_tar.tmp" . && mv "$base_tar.tmp" "$base_tar"
	rc=$?
	rm -rf "$root"
	return $rc
}
