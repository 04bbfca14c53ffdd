#!/usr/bin/env bash
# Runs every test: starts local ClickHouse and the local ClickHouse cluster (installing them if needed), installs
# Debian's chromium for the console's browser tests and the npm packages the interop tests use, builds the solution
# and runs every test project against the real servers.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
export OTELLLM_REPO_ROOT="$root"
export CLICKHOUSE_URL="${CLICKHOUSE_URL:-http://127.0.0.1:8123}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

scripts/clickhouse.sh start
scripts/clickhouse-cluster.sh start

# The console's browser tests drive Debian's Chromium through Playwright (Playwright's own browser download does not
# work offline); install it when missing.
if [ ! -x /usr/bin/chromium ]; then
  echo "test: installing Debian's chromium for the console's browser tests"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

if [ -f tests/js/package.json ]; then
  echo "test: installing npm packages for the interop tests"
  (cd tests/js && npm ci --no-audit --no-fund --loglevel=error)
  # The newest Vercel AI SDK major has its own folder (the harness pins ai 5); it declares Node >= 22 and runs on 20.
  (cd tests/js/ai-sdk-7 && npm ci --no-audit --no-fund --loglevel=error)
fi

echo "test: building"
dotnet build OtelLlm.slnx -c Release -nologo -clp:ErrorsOnly

status=0
results="$root/artifacts/test-results"
rm -rf "$results"; mkdir -p "$results"
dotnet test OtelLlm.slnx -c Release --no-build -nologo --filter "Category!=Delivery" \
  --logger "console;verbosity=normal" --logger "trx;LogFilePrefix=results" --results-directory "$results" \
  -- RunConfiguration.TestSessionTimeout=3000000 || status=$?

# Stock SDKs held at a rate for seconds: run alone, so the parallel assemblies above do not starve them of CPU.
echo "test: SDK delivery at a steady rate (on its own)"
dotnet test tests/OtelLlm.Reliability.Tests -c Release --no-build -nologo --filter "Category=Delivery" \
  --logger "console;verbosity=normal" --logger "trx;LogFilePrefix=delivery" --results-directory "$results" \
  -- RunConfiguration.TestSessionTimeout=900000 || status=$?

js_passed=0; js_failed=0
if [ -f tests/js/package.json ]; then
  echo "test: JavaScript interop self-tests (tests/js)"
  js_log="$results/js-tests.log"
  (cd tests/js && npm test 2>&1) | tee "$js_log" || status=1
  js_passed=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$js_log" | tail -n 1); js_passed=${js_passed:-0}
  js_failed=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$js_log" | tail -n 1); js_failed=${js_failed:-0}
  [ "$js_failed" = 0 ] || status=1
fi

# One closing line for the whole run, counted from the .NET result files plus the JavaScript self-tests.
node -e '
const fs = require("fs"), path = require("path"), dir = process.argv[1];
let passed = Number(process.argv[2]), failed = Number(process.argv[3]), skipped = 0;
for (const f of fs.readdirSync(dir).filter(f => f.endsWith(".trx"))) {
  const m = fs.readFileSync(path.join(dir, f), "utf8").match(/<Counters[^>]*>/);
  if (!m) continue;
  const n = k => Number((m[0].match(new RegExp(" " + k + "=\"(\\d+)\"")) || [0, 0])[1]);
  passed += n("passed"); failed += n("failed") + n("error") + n("timeout"); skipped += n("notExecuted");
}
// Failures are repeated here, last, so a reader of a long or truncated log sees them next to the count.
for (const f of fs.readdirSync(dir).filter(f => f.endsWith(".trx"))) {
  const xml = fs.readFileSync(path.join(dir, f), "utf8");
  for (const r of xml.matchAll(/<UnitTestResult [^>]*outcome="(?:Failed|Error|Timeout)"[^>]*>[\s\S]*?<\/UnitTestResult>/g)) {
    const name = (r[0].match(/testName="([^"]*)"/) || [])[1];
    const msg = (r[0].match(/<Message>([\s\S]*?)<\/Message>/) || [, ""])[1];
    const stack = (r[0].match(/<StackTrace>([\s\S]*?)<\/StackTrace>/) || [, ""])[1];
    const text = s => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, "\"").replace(/&apos;/g, "\x27").replace(/&amp;/g, "&");
    console.log(`FAILED ${text(name || "?")}\n  ${text(msg).trim().split("\n").slice(0, 12).join("\n  ")}\n  ${text(stack).trim().split("\n").slice(0, 6).join("\n  ")}`);
  }
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
' "$results" "$js_passed" "$js_failed" || true
exit $status
