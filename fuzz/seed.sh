#!/usr/bin/env bash
# Seeds fuzz/corpus/<target>/ from the repository's fixtures. Safe to re-run: files are copied
# under names derived from their paths, so a re-run overwrites instead of duplicating.
# The corpus directories are git-ignored (/fuzz/corpus in the top-level .gitignore).
set -euo pipefail
cd "$(dirname "$0")/.."   # repository root
corpus=fuzz/corpus

# seed <target> <file>...: copy each file into the target's corpus.
seed() {
    local target=$1 file
    shift
    mkdir -p "$corpus/$target"
    for file in "$@"; do
        [ -f "$file" ] && cp "$file" "$corpus/$target/$(echo "$file" | tr '/' '_')"
    done
}

# seed_text <target> <name> <printf format> [args...]: one hand-written seed.
seed_text() {
    local target=$1 name=$2
    shift 2
    mkdir -p "$corpus/$target"
    # shellcheck disable=SC2059
    printf "$@" >"$corpus/$target/$name"
}

mapfile -t keys < <(find fixtures/keys fixtures/example -type f -name '*' ! -name '*.md')
mapfile -t certs < <(find fixtures/certs fixtures/example fixtures/metadata -type f \( -name '*.crt' -o -name '*.pem' \))
mapfile -t jwts < <(find fixtures/assertions -type f -name '*.jwt')
mapfile -t captured < <(find tests/fixtures/captured -type f ! -name '*.md')
mapfile -t metadata < <(find fixtures/metadata -type f -name '*.xml')

seed key "${keys[@]}" "${certs[@]}"
seed certificate "${certs[@]}" "${keys[@]}"
seed pem "${keys[@]}" "${certs[@]}"
seed jwt "${jwts[@]}"
seed captured_error "${captured[@]}"
seed metadata "${metadata[@]}"
# scrub: the captured failures (their secrets are placeholders) and the fixtures' JWTs.
seed scrub "${captured[@]}" "${jwts[@]}"

# token_response: 2 status bytes (big-endian), a Content-Type line, a Location line, the body.
seed_text token_response token-200 '\x00\xc8application/json;charset=UTF-8\n\n%s' \
    '{"access_token":"00D000000000001!AR.x","scope":"api id","instance_url":"https://acme.my.salesforce.com","id":"https://login.salesforce.com/id/00D000000000001/005000000000001","token_type":"Bearer"}'
seed_text token_response approval-400 '\x01\x90application/json\n\n%s' \
    '{"error":"invalid_grant","error_description":"user hasn'"'"'t approved this consumer"}'
seed_text token_response audience-400 '\x01\x90application/json\n\n%s' \
    '{"error":"invalid_grant","error_description":"audience is invalid"}'
seed_text token_response client-400 '\x01\x90application/json\n\n%s' \
    '{"error":"invalid_client_id","error_description":"client identifier invalid"}'
seed_text token_response bare-error-400 '\x01\x90\n\n%s' '{"error":"invalid_grant"}'
seed_text token_response redirect-302 '\x01\x2etext/html\nhttps://acme.lightning.force.com/\n%s' \
    '<html><head><title>Moved</title></head></html>'
seed_text token_response html-503 '\x01\xf7text/html; charset=utf-8\n\n%s' \
    '<!DOCTYPE html><html><head><title>Maintenance</title></head><body>Down for maintenance</body></html>'
seed_text token_response text-500 '\x01\xf4text/plain\n\n%s' 'Internal Server Error'

# host: an instance URL line, a username line, an SF_AUDIENCE_URL line.
seed_text host login 'https://login.salesforce.com\nci@acme.com\n'
seed_text host sandbox 'https://acme--uat.sandbox.my.salesforce.com/\nci@acme.com.uat\nhttps://test.salesforce.com'
seed_text host legacy-sandbox 'https://acme--uat.my.salesforce.com:443/path?q#f\nci@acme.com.au\n'
seed_text host scratch 'https://site-power-1234-dev-ed.scratch.my.salesforce.com\ntest-abcdefghijkl@example.com\n'
seed_text host lightning 'http://user:pw@acme.lightning.force.com:8443\\x\nci@acme.co.uk\n'
seed_text host site 'https://acme.my.site.com/partners\nci@acme.com\nhttps://acme.my.site.com/partners'
seed_text host loopback 'http://[::1]:8080/\nci\n'
seed_text host gov 'https://acme.my.salesforce.mil\nci@agency.gov\n'

for dir in "$corpus"/*/; do
    echo "$(basename "$dir"): $(find "$dir" -type f | wc -l) seeds"
done
