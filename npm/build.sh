#!/usr/bin/env bash
# Builds the npm packages from release binaries: `sfjwt` (the launcher, bin/sfjwt, which lists every
# platform package as an optional dependency) and one `@sfjwt/<platform>` package per binary given.
# Version, description, licence and repository come from Cargo.toml, so the packages match the crate.
#
#   npm/build.sh --out DIR [--require-all] TARGET=PATH...   # binaries, by Rust target or npm platform
#   npm/build.sh --out DIR [--require-all] --archives DIR   # the release archives (sfjwt-<target>-v<version>.tar.gz|.zip)
#
#   npm/build.sh --out /tmp/npm x86_64-unknown-linux-gnu=target/release/sfjwt
#   npm/build.sh --out /tmp/npm linux-x64=target/release/sfjwt
#
# DIR/sfjwt and DIR/<platform> are ready for `npm pack` or `npm publish`. --require-all (the release
# workflow) fails unless every platform got its binary: a missing one would leave its users without.
set -euo pipefail
cd "$(dirname "$0")/.."

# Rust target, npm platform package (without @sfjwt/), os, cpu, libc ("-" for none).
PLATFORMS="
x86_64-unknown-linux-gnu   linux-x64         linux  x64   glibc
aarch64-unknown-linux-gnu  linux-arm64       linux  arm64 glibc
x86_64-unknown-linux-musl  linux-x64-musl    linux  x64   musl
aarch64-unknown-linux-musl linux-arm64-musl  linux  arm64 musl
x86_64-apple-darwin        darwin-x64        darwin x64   -
aarch64-apple-darwin       darwin-arm64      darwin arm64 -
x86_64-pc-windows-msvc     win32-x64         win32  x64   -
"

die() { echo "npm/build.sh: $*" >&2; exit 2; }

# A string field of Cargo.toml's [package] table.
cargo_field() {
  awk -v key="$1" '
    /^\[/ { in_package = ($0 == "[package]") }
    in_package && $1 == key && $2 == "=" { sub(/^[^=]*= *"/, ""); sub(/" *$/, ""); print; exit }
  ' Cargo.toml
}

# JSON string (the fields above hold no control characters; quote and backslash are escaped).
json() { local s=${1//\\/\\\\}; printf '"%s"' "${s//\"/\\\"}"; }

out="" archives="" require_all=false
declare -A binary_for=() # npm platform -> binary path
while [[ $# -gt 0 ]]; do
  case $1 in
    --out) out=${2:?--out needs a directory}; shift 2 ;;
    --archives) archives=${2:?--archives needs a directory}; shift 2 ;;
    --require-all) require_all=true; shift ;;
    -h|--help) sed -n '2,14s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *=*)
      key=${1%%=*} file=${1#*=}
      platform=$(awk -v k="$key" '$1 == k || $2 == k { print $2 }' <<<"$PLATFORMS")
      [[ -n $platform ]] || die "unknown target or platform: $key"
      [[ -f $file ]] || die "no binary at $file"
      binary_for[$platform]=$(cd "$(dirname "$file")" && pwd)/$(basename "$file")
      shift ;;
    *) die "unexpected argument: $1 (see --help)" ;;
  esac
done
[[ -n $out ]] || die "--out DIR is required"

version=$(cargo_field version)
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] || die "Cargo.toml has no usable version: '$version'"
description=$(cargo_field description)
license=$(cargo_field license)
repository=$(cargo_field repository)

if [[ -n $archives ]]; then
  [[ -d $archives ]] || die "no directory $archives"
  unpacked=$(mktemp -d)
  trap 'rm -rf "$unpacked"' EXIT
  while read -r target platform os _; do
    [[ -n $target ]] || continue
    stem="sfjwt-$target-v$version"
    exe=sfjwt; [[ $os == win32 ]] && exe=sfjwt.exe
    if [[ -f $archives/$stem.tar.gz ]]; then archive=$archives/$stem.tar.gz
    elif [[ -f $archives/$stem.zip ]]; then archive=$archives/$stem.zip
    else continue
    fi
    if [[ -f $archive.sha256 ]]; then
      (cd "$(dirname "$archive")" && sha256sum --quiet -c "$(basename "$archive").sha256") \
        || die "checksum mismatch: $archive"
    fi
    mkdir -p "$unpacked/$target"
    case $archive in
      *.tar.gz) tar -xzf "$archive" -C "$unpacked/$target" ;;
      *.zip) unzip -q "$archive" -d "$unpacked/$target" ;;
    esac
    [[ -f $unpacked/$target/$stem/$exe ]] || die "$archive has no $stem/$exe"
    binary_for[$platform]=$unpacked/$target/$stem/$exe
  done <<<"$PLATFORMS"
fi
[[ ${#binary_for[@]} -gt 0 ]] || die "no binaries given (TARGET=PATH or --archives DIR)"

mkdir -p "$out"
repository_json="{ \"type\": \"git\", \"url\": $(json "git+$repository.git") }"
optional=""
built=()
while read -r target platform os cpu libc; do
  [[ -n $target ]] || continue
  optional+="${optional:+,
}    \"@sfjwt/$platform\": \"$version\""
  if [[ -z ${binary_for[$platform]:-} ]]; then
    $require_all && die "no binary for $target ($platform)"
    continue
  fi
  dir=$out/$platform
  rm -rf "$dir" && mkdir -p "$dir"
  exe=sfjwt; [[ $os == win32 ]] && exe=sfjwt.exe
  cp "${binary_for[$platform]}" "$dir/$exe"
  chmod 0755 "$dir/$exe"
  libc_field=""
  [[ $libc != - ]] && libc_field="
  \"libc\": [\"$libc\"],"
  cat >"$dir/package.json" <<EOF
{
  "name": "@sfjwt/$platform",
  "version": "$version",
  "description": $(json "The sfjwt binary for $os $cpu${libc_field:+ ($libc)}; installed by the sfjwt package"),
  "license": $(json "$license"),
  "repository": $repository_json,
  "os": ["$os"],
  "cpu": ["$cpu"],$libc_field
  "files": ["$exe"],
  "preferUnplugged": true
}
EOF
  # shellcheck disable=SC2016 # backticks are Markdown
  printf 'This package holds the `%s` binary of [sfjwt](%s) for %s %s. Install `sfjwt`, not this.\n' \
    "$exe" "$repository" "$os" "$cpu" >"$dir/README.md"
  built+=("@sfjwt/$platform")
done <<<"$PLATFORMS"

dir=$out/sfjwt
rm -rf "$dir" && mkdir -p "$dir/bin"
cp npm/sfjwt/bin/sfjwt "$dir/bin/sfjwt"
chmod 0755 "$dir/bin/sfjwt"
cp npm/sfjwt/README.md LICENSE-MIT LICENSE-APACHE "$dir/"
cat >"$dir/package.json" <<EOF
{
  "name": "sfjwt",
  "version": "$version",
  "description": $(json "$description"),
  "license": $(json "$license"),
  "repository": $repository_json,
  "homepage": $(json "$repository#readme"),
  "keywords": ["salesforce", "jwt", "oauth", "sf", "sfdx", "doctor", "ci"],
  "bin": { "sfjwt": "bin/sfjwt" },
  "files": ["bin/sfjwt", "README.md", "LICENSE-MIT", "LICENSE-APACHE"],
  "engines": { "node": ">=18" },
  "optionalDependencies": {
$optional
  }
}
EOF
echo "sfjwt $version: $out/sfjwt and ${built[*]}" >&2
