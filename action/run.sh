#!/usr/bin/env bash
# The one step of the GitHub Action (action.yml): mask the key, install sfjwt, write the key to a
# 0600 file, run `sfjwt doctor`, remove the key. Inputs come as INPUT_* environment variables.
# The key is never printed: the first lines out are the `::add-mask::` commands that hide it.
set +x # before anything else: a tracing shell would print the key
set -euo pipefail

key=${INPUT_PRIVATE_KEY:-}
key_base64=${INPUT_PRIVATE_KEY_BASE64:-}

# Workflow command data escapes `%`, CR and LF.
add_mask() { local value=${1//'%'/%25}; printf '::add-mask::%s\n' "${value//$'\r'/%0D}"; }

# Every piece of the text that could carry key material: each word of at least 4 characters once
# PEM armour is taken out (a line, for a well-formed PEM; the pieces of a key pasted onto one line
# or with literal \n), then all of them joined, as some tools print a key body on one line.
mask_lines() {
  local text=${1//\\n/$'\n'} line word joined="" count=0
  while IFS= read -r line || [[ -n $line ]]; do
    while [[ $line =~ -----[A-Z0-9\ ]*----- ]]; do line=${line/"${BASH_REMATCH[0]}"/ }; done
    set -f
    for word in $line; do
      [[ ${#word} -ge 4 ]] || continue
      add_mask "$word"
      joined+=$word
      count=$((count + 1))
    done
    set +f
  done <<<"${text//$'\r'/}"
  if [[ $count -gt 1 ]]; then add_mask "$joined"; fi
}

fail() {
  printf '::error title=sfjwt action::%s\n' "$1"
  exit 2
}

# Masks first; creating the key's folder prints nothing, so it may come before them.
umask 077
runner_temp=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
work=$(mktemp -d "$runner_temp/sfjwt.XXXXXXXX")
trap 'rm -rf "$work"' EXIT
key_file=""

[[ -n $key ]] && mask_lines "$key"
if [[ -n $key_base64 ]]; then
  mask_lines "$key_base64"
  [[ -n $key ]] && fail "give private-key or private-key-base64, not both"
  key_file="$work/server.key"
  # GNU and BSD base64 both decode with -d; what fails to decode is never shown.
  printf '%s' "$key_base64" | tr -d ' \t\r\n' | base64 -d >"$key_file" 2>/dev/null \
    || fail "private-key-base64 is not valid base64"
  mask_lines "$(tr -d '\0' <"$key_file")"
elif [[ -n $key ]]; then
  key_file="$work/server.key"
  printf '%s' "$key" >"$key_file"
fi
# From here on nothing this script or sfjwt writes can show the key unmasked.

action_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# A string field of Cargo.toml's [package] table: this action's own version and repository.
cargo_field() {
  awk -v key="$1" '
    /^\[/ { in_package = ($0 == "[package]") }
    in_package && $1 == key && $2 == "=" { sub(/^[^=]*= *"/, ""); sub(/" *$/, ""); print; exit }
  ' "$action_root/Cargo.toml"
}
version=${INPUT_VERSION:-$(cargo_field version)}
version=${version#v}

# The release archive for this runner: the static musl builds on Linux.
release_target() {
  case "${RUNNER_OS:-$(uname -s)}-${RUNNER_ARCH:-$(uname -m)}" in
    Linux-X64 | Linux-x86_64) echo x86_64-unknown-linux-musl ;;
    Linux-ARM64 | Linux-aarch64) echo aarch64-unknown-linux-musl ;;
    macOS-X64 | Darwin-x86_64) echo x86_64-apple-darwin ;;
    macOS-ARM64 | Darwin-arm64) echo aarch64-apple-darwin ;;
    Windows-X64) echo x86_64-pc-windows-msvc ;;
  esac
}

case ${INPUT_INSTALL:-npm} in
  npm)
    prefix="$runner_temp/sfjwt-npm-$version"
    npm install --prefix "$prefix" --no-save --no-audit --no-fund --loglevel=error "sfjwt@$version" >&2 \
      || fail "npm could not install sfjwt@$version"
    bin_dir="$prefix/node_modules/.bin"
    ;;
  release)
    target=$(release_target)
    [[ -n $target ]] || fail "no sfjwt release for ${RUNNER_OS:-$(uname -s)} ${RUNNER_ARCH:-$(uname -m)}; use install: npm or path"
    stem="sfjwt-$target-v$version"
    archive="$stem.tar.gz"
    [[ $target == *windows* ]] && archive="$stem.zip"
    repository=$(cargo_field repository)
    url="$repository/releases/download/v$version/$archive"
    download="$runner_temp/sfjwt-release-$version"
    mkdir -p "$download"
    for file in "$archive" "$archive.sha256"; do
      curl -fsSL --retry 3 -o "$download/$file" "${url%/*}/$file" || fail "cannot download ${url%/*}/$file"
    done
    if command -v sha256sum >/dev/null; then check=(sha256sum -c); else check=(shasum -a 256 -c); fi
    (cd "$download" && "${check[@]}" "$archive.sha256" >&2) || fail "checksum mismatch for $archive"
    case $archive in
      *.zip) unzip -qo "$download/$archive" -d "$download" ;;
      *) tar -xzf "$download/$archive" -C "$download" ;;
    esac
    bin_dir="$download/$stem"
    ;;
  path)
    sfjwt_path=$(command -v sfjwt) || fail "install: path, but no sfjwt on PATH"
    bin_dir=$(dirname "$sfjwt_path")
    ;;
  *) fail "install must be npm, release or path, not ${INPUT_INSTALL}" ;;
esac
sfjwt="$bin_dir/sfjwt"
# Later steps can run sfjwt too (for example `sfjwt doctor --error` after a failed login).
[[ -n ${GITHUB_PATH:-} ]] && printf '%s\n' "$bin_dir" >>"$GITHUB_PATH"

doctor=(doctor --format "${INPUT_FORMAT:-github}" --fail-on "${INPUT_FAIL_ON:-error}")
[[ -n ${INPUT_CLIENT_ID:-} ]] && doctor+=(--client-id "$INPUT_CLIENT_ID")
[[ -n ${INPUT_USERNAME:-} ]] && doctor+=(--username "$INPUT_USERNAME")
[[ -n ${INPUT_INSTANCE_URL:-} ]] && doctor+=(--instance-url "$INPUT_INSTANCE_URL")
[[ -n $key_file ]] && doctor+=(--jwt-key-file "$key_file")
set -f # the extra arguments are split on spaces, never globbed
# shellcheck disable=SC2206
extra=(${INPUT_ARGS:-})
set +f

echo "$("$sfjwt" --version) ($sfjwt)" >&2
status=0
"$sfjwt" "${doctor[@]}" ${extra[@]+"${extra[@]}"} || status=$?
[[ -n ${GITHUB_OUTPUT:-} ]] && printf 'exit-code=%s\n' "$status" >>"$GITHUB_OUTPUT"
if [[ $status -eq 2 && -n ${GITHUB_STEP_SUMMARY:-} ]]; then
  printf '## sfjwt doctor: could not run\n\nsfjwt stopped with a usage error (exit 2); the log says why.\n\n' \
    >>"$GITHUB_STEP_SUMMARY"
fi
exit "$status"
