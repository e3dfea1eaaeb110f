#!/usr/bin/env bash
# The C code's format (.clang-format, clang-format 14 from Debian 12: scripts/setup.sh installs it).
#
#   bash scripts/format.sh            check the tree: list every file clang-format would
#                                     change, exit 1 if there is one (stage format of scripts/test.sh)
#   bash scripts/format.sh --fix      reformat the WHOLE tree (api/, tests/unit/, tests/fuzz/) in place
#   bash scripts/format.sh --fix DIR  reformat only these folders or files
#
# The whole tree is checked (since session 4: one commit changed only the format).
set -uo pipefail
cd "$(dirname -- "${BASH_SOURCE[0]}")/.." || exit 1

checked=(api tests/unit tests/fuzz)
everything=(api tests/unit tests/fuzz)

command -v clang-format >/dev/null || { echo "format: clang-format is missing (scripts/setup.sh)" >&2; exit 1; }
files_in() { find "$@" -type f \( -name '*.c' -o -name '*.h' \) | sort; }

if [[ ${1:-} == --fix ]]; then
    shift
    (($# > 0)) || set -- "${everything[@]}"
    mapfile -t files < <(files_in "$@")
    clang-format -i --style=file "${files[@]}" || exit 1
    echo "format: ${#files[@]} files formatted"
    exit 0
fi

mapfile -t files < <(files_in "${checked[@]}")
bad=()
for f in "${files[@]}"; do
    clang-format --dry-run --Werror --style=file "$f" >/dev/null 2>&1 || bad+=("$f")
done
if ((${#bad[@]} > 0)); then
    printf 'format: %s is not formatted (bash scripts/format.sh --fix %s; the diff: clang-format %s | diff %s -)\n' \
        "${bad[0]}" "${bad[0]}" "${bad[0]}" "${bad[0]}" >&2
    for f in "${bad[@]:1}"; do echo "format: $f is not formatted" >&2; done
    exit 1
fi
echo "format: ${#files[@]} files formatted (${checked[*]})"
