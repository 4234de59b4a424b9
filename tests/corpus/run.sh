#!/usr/bin/env bash
# Runs `sfjwt doctor --offline --error` on every text of the real-world corpus and compares the
# first cause of the JSON report with the file's `expect:` line.
#
#   tests/corpus/run.sh                     # all files: misses, then the hit rate
#   tests/corpus/run.sh sf-cli/*.txt        # some files (paths relative to tests/corpus or absolute)
#   tests/corpus/run.sh --tsv out.tsv       # also write one row per file: file, expect, got, top 3, how it was read
#   tests/corpus/run.sh --min 95            # exit 1 when fewer than 95 % of the texts hit
#   SFJWT=target/release/sfjwt tests/corpus/run.sh
#
# Each corpus file is a header (`source:`, `form:`, `expect:`, optional `flags:`), a line `---`,
# then the text exactly as a user would paste it. The text part goes to a temporary file that is
# passed as `--error @file`, with the header's flags. Needs bash, awk and jq; build first
# (`cargo build`).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${SFJWT:-$root/target/debug/sfjwt}"
tsv=""
min=""
files=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --tsv) tsv="$2"; shift 2 ;;
    --min) min="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) files+=("$1"); shift ;;
  esac
done
if [[ ! -x "$bin" ]]; then
  echo "no sfjwt binary at $bin: run \`cargo build\` first or set SFJWT" >&2
  exit 2
fi
command -v jq >/dev/null || { echo "jq is required" >&2; exit 2; }
if [[ ${#files[@]} -eq 0 ]]; then
  while IFS= read -r f; do files+=("$f"); done < <(cd "$here" && find . -name '*.txt' | sed 's|^\./||' | sort)
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
[[ -n "$tsv" ]] && printf 'file\texpect\tgot\ttop3\tread_as\n' >"$tsv"

total=0
hits=0
misses=()
for f in "${files[@]}"; do
  path="$f"
  [[ "$path" = /* ]] || path="$here/$f"
  rel="${path#"$here"/}"
  header="$(awk '/^---$/{exit} {print}' "$path")"
  expect="$(sed -n 's/^expect: //p' <<<"$header")"
  flags="$(sed -n 's/^flags: //p' <<<"$header")"
  if [[ -z "$expect" ]]; then
    echo "$rel: no expect: line" >&2
    exit 2
  fi
  # The text: everything after the first `---` line, byte for byte (CRLF and escapes kept).
  awk 'found {print} /^---$/ && !found {found=1}' "$path" >"$work/text"
  # shellcheck disable=SC2086 # flags are whitespace-separated words without spaces inside
  "$bin" doctor --offline --format json --error "@$work/text" $flags >"$work/out.json" 2>"$work/err" || true
  if jq -e . "$work/out.json" >/dev/null 2>&1; then
    got="$(jq -r '.causes[0].id // "(no cause)"' "$work/out.json")"
    top3="$(jq -r '[.causes[:3][].id] | join(",")' "$work/out.json")"
    read_as="$(jq -r '[.notes[]? | select(test("read as"))] | join("; ") | sub("^--error \\([^)]*\\) "; "")' "$work/out.json")"
  else
    got="(no report: $(head -c 120 "$work/err" | tr '\n' ' '))"
    top3=""
    read_as=""
  fi
  total=$((total + 1))
  if [[ "$got" == "$expect" ]]; then
    hits=$((hits + 1))
  else
    misses+=("$rel"$'\t'"expect $expect"$'\t'"got ${top3:-$got}"$'\t'"$read_as")
  fi
  [[ -n "$tsv" ]] && printf '%s\t%s\t%s\t%s\t%s\n' "$rel" "$expect" "$got" "$top3" "$read_as" >>"$tsv"
done

if [[ ${#misses[@]} -gt 0 ]]; then
  echo "misses:"
  printf '  %s\n' "${misses[@]}" | column -t -s $'\t'
  echo
fi
pct=$((total == 0 ? 0 : hits * 1000 / total))
printf 'corpus: %d of %d texts got the expected top cause (%d.%d %%)\n' "$hits" "$total" $((pct / 10)) $((pct % 10))
if [[ -n "$min" ]] && ((hits * 100 < min * total)); then
  exit 1
fi
