#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/check.sh - everything 'make check' runs, after setup and the test kernel:
# module build with clippy (warnings are errors), rustfmt, the reader's fmt/clippy/tests, and
# the VM test suite. Prints one "ok"/"not ok" line per stage and per VM case, then
# "N passed, N failed"; exits non-zero on any failure.

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
# shellcheck source=tools/env.sh
. "$here/env.sh"

out=$repo/out/check
mkdir -p "$out"
passed=0
failed=0
n=0
t_start=$SECONDS

# stage NAME COMMAND...: run one check with its output in out/check/NAME.log.
stage() {
	local name=$1 t=$SECONDS rc
	shift
	n=$((n + 1))
	"$@" >"$out/$name.log" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "ok $n $name # $((SECONDS - t)) s"
		passed=$((passed + 1))
	else
		echo "not ok $n $name - exit $rc; last lines of $out/$name.log:"
		tail -n 25 "$out/$name.log" | sed 's/^/# /'
		failed=$((failed + 1))
	fi
	return "$rc"
}

kdir=$("$here/kernel.sh" print-kdir standard) || {
	echo "not ok 1 kernel - no test kernel (run 'make kernel')"
	echo "0 passed, 1 failed"
	exit 1
}
echo "# test kernel: $kdir"

module_build() {
	make -C "$kdir" M="$repo" LLVM=1 clean &&
		make -C "$kdir" M="$repo" LLVM=1 CLIPPY=1 modules
}

module_rustfmt() {
	local files
	files=$(find "$repo/rust" "$repo/samples" -name '*.rs')
	# shellcheck disable=SC2086
	rustfmt --check --edition 2021 --config-path "$KSRC_DIR/.rustfmt.toml" $files
}

stage module-build-clippy module_build
stage module-rustfmt module_rustfmt
stage reader-fmt cargo fmt --manifest-path "$repo/tools/Cargo.toml" --all -- --check
stage reader-clippy cargo clippy --manifest-path "$repo/tools/Cargo.toml" --all-targets -- -D warnings
stage reader-test cargo test --manifest-path "$repo/tools/Cargo.toml"
stage reader-build cargo build --release --manifest-path "$repo/tools/Cargo.toml"

echo "# VM suite (TCG, 2 CPUs)"
mapfile -t cases < <(ls "$repo"/tools/vmtest/cases/*.sh)
vm_log=$out/vm.log
"$here/vmtest/vmtest.sh" "$kdir" "$out/vm" "${cases[@]}" >"$vm_log" 2>&1
while IFS= read -r line; do
	case "$line" in
	"ok "*)
		n=$((n + 1)) passed=$((passed + 1))
		echo "ok $n vm:${line#ok [0-9]* }"
		;;
	"not ok "*)
		n=$((n + 1)) failed=$((failed + 1))
		echo "not ok $n vm:${line#not ok [0-9]* }"
		;;
	*" passed, "*" failed") ;;
	*) echo "$line" ;;
	esac
done <"$vm_log"

echo "# make check: $((SECONDS - t_start)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
