#!/usr/bin/env bash
# The pinned Node.js (and npm) that everything here runs with node: the API tests, the demo data
# loader, the OpenAPI lint and its npm ci. Debian 12's own nodejs is 18.x, which is past its end of
# life and too old for the pinned npm tools (@redocly/cli needs 20.19+ or 22.12+), and a machine may
# have any other node in /usr/bin; so the scripts never use whatever `node` happens to be installed.
#
#   bash scripts/node.sh    make sure .tools/node-<version>/ holds the pinned node and npm, then
#                           print its bin folder on stdout (callers put it first on PATH):
#                               PATH=$(bash scripts/node.sh):$PATH
#
# When missing, both come from the npm registry (the package node-linux-<arch>, which holds the
# official node binary, and the package npm, which bundles its dependencies), downloaded with curl
# and checked against the sha512 integrity pinned below before anything is unpacked; a mismatch
# stops with an error. Later runs (also offline) reuse .tools/ (git-ignored); delete it to reinstall.
# Needs curl, ca-certificates, tar and gzip (scripts/setup.sh installs them).
set -euo pipefail

NODE_VERSION=24.22.3
NPM_VERSION=11.21.2
NPM_INTEGRITY=sha512-7HPApk+AflMUavSseL1Pm6CnYqMIHk53x+KmuhqmTDqPkjPMgxIpTPcTqsE91EKNw4gFBJV9fnXiSdGm1DXq9A==
REGISTRY=https://registry.npmjs.org

die() { echo "node.sh: $*" >&2; exit 1; }
say() { echo "node.sh: $*" >&2; }

case $(uname -m) in
    x86_64)
        arch=x64
        node_integrity=sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==
        ;;
    aarch64)
        arch=arm64
        node_integrity=sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw==
        ;;
    *) die "no pinned Node.js for $(uname -m) (only x86_64 and aarch64)" ;;
esac

root=$(cd "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
tools=$root/.tools
prefix=$tools/node-$NODE_VERSION
bin=$prefix/bin

installed() {
    [[ -x $bin/node ]] && [[ $("$bin/node" --version 2>/dev/null) == "v$NODE_VERSION" ]] &&
        grep -q "^  \"version\": \"$NPM_VERSION\"," "$prefix/lib/node_modules/npm/package.json" 2>/dev/null
}

# npm and npx: npm-cli.js starts with `#!/usr/bin/env node`, which would pick whatever node is first
# on PATH; these run it with the node next to them. Node trusts only its own CA list, so they add the
# system's (/etc/ssl/certs, e.g. a proxy's CA added with update-ca-certificates), which curl trusts:
# npm then reaches the registry wherever node.sh could. Rewritten whenever they differ from this.
wrappers() {
    local tool text
    for tool in npm npx; do
        text="#!/bin/sh
# Written by scripts/node.sh: $tool $NPM_VERSION on the pinned node $NODE_VERSION.
if [ -z \"\${NODE_EXTRA_CA_CERTS-}\" ] && [ -r /etc/ssl/certs/ca-certificates.crt ]; then
    NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
    export NODE_EXTRA_CA_CERTS
fi
# Pinned: no check for a newer npm (a network call and a notice on every npm ci).
npm_config_update_notifier=\${npm_config_update_notifier-false}
export npm_config_update_notifier
here=\$(dirname -- \"\$0\")
exec \"\$here/node\" \"\$here/../lib/node_modules/npm/bin/$tool-cli.js\" \"\$@\""
        if [[ ! -x $1/$tool || $(cat -- "$1/$tool") != "$text" ]]; then
            printf '%s\n' "$text" >"$1/.$tool.$$"
            chmod 755 "$1/.$tool.$$"
            mv -f -- "$1/.$tool.$$" "$1/$tool"
        fi
    done
}

if installed; then
    wrappers "$bin"
    echo "$bin"
    exit 0
fi

# One installer at a time (two test runs in the same checkout); the loser finds it installed.
mkdir -p -- "$tools"
exec 9>"$tools/.lock"
flock 9
if installed; then
    wrappers "$bin"
    echo "$bin"
    exit 0
fi

command -v curl >/dev/null 2>&1 || die "curl is needed to fetch Node.js (run scripts/setup.sh)"

work=$(mktemp -d "$tools/.install.XXXXXX")
trap 'rm -rf -- "$work"' EXIT

# fetch URL INTEGRITY FILE: download and check the npm-style integrity (sha512-<base64 digest>).
fetch() {
    local url=$1 integrity=$2 file=$3 want got
    [[ $integrity == sha512-* ]] || die "unsupported integrity for $url: $integrity"
    say "downloading $url"
    curl -fsSL --retry 3 --connect-timeout 20 --max-time 900 -o "$file" -- "$url" ||
        die "download failed: $url"
    want=$(printf '%s' "${integrity#sha512-}" | base64 -d | od -An -v -tx1 | tr -d ' \n')
    got=$(sha512sum -- "$file" | cut -d' ' -f1)
    if [[ ${#want} -ne 128 || $got != "$want" ]]; then
        die "INTEGRITY MISMATCH for $url: expected sha512 $want, got $got; nothing was installed"
    fi
}

fetch "$REGISTRY/node-linux-$arch/-/node-linux-$arch-$NODE_VERSION.tgz" "$node_integrity" "$work/node.tgz"
fetch "$REGISTRY/npm/-/npm-$NPM_VERSION.tgz" "$NPM_INTEGRITY" "$work/npm.tgz"

stage=$work/node-$NODE_VERSION
mkdir -p -- "$stage/bin" "$stage/lib/node_modules/npm"
tar -xzf "$work/node.tgz" -C "$work" --no-same-owner package/bin/node package/LICENSE
mv -- "$work/package/bin/node" "$stage/bin/node"
mv -- "$work/package/LICENSE" "$stage/LICENSE"
rm -rf -- "$work/package"
tar -xzf "$work/npm.tgz" -C "$stage/lib/node_modules/npm" --no-same-owner --strip-components=1
chmod 755 "$stage/bin/node"

wrappers "$stage/bin"

[[ $("$stage/bin/node" --version) == "v$NODE_VERSION" ]] || die "the unpacked node does not run"
[[ $("$stage/bin/npm" --version) == "$NPM_VERSION" ]] || die "the unpacked npm does not run"

rm -rf -- "$prefix"
mv -- "$stage" "$prefix"
say "installed Node.js $NODE_VERSION and npm $NPM_VERSION in ${prefix#"$root"/}"
echo "$bin"
