"""Prints "N passed, M failed" over a TRX (dotnet test) and a JUnit XML (pytest) report.

Before it, each failed C# test with its message and the top of its stack: dotnet test's quiet console names a failed
test but not why, and a CI log is often all there is of a failure that does not repeat.

A missing or unreadable report counts as one failure: a suite that did not run must not look green.
"""
import sys
import xml.etree.ElementTree as ElementTree


def count_trx(path):
    counters = ElementTree.parse(path).getroot().find(".//{*}ResultSummary/{*}Counters")
    failed = sum(int(counters.get(key, 0)) for key in ("failed", "error", "timeout", "aborted"))
    return int(counters.get("passed", 0)), failed


def print_trx_failures(path, stack_lines=8):
    for result in ElementTree.parse(path).getroot().findall(".//{*}UnitTestResult"):
        if result.get("outcome") not in ("Failed", "Error", "Timeout", "Aborted"):
            continue
        message = result.findtext(".//{*}ErrorInfo/{*}Message") or "(no message)"
        stack = (result.findtext(".//{*}ErrorInfo/{*}StackTrace") or "").strip().splitlines()[:stack_lines]
        print(f"FAILED {result.get('testName')} ({result.get('duration')})")
        for line in message.strip().splitlines() + stack:
            print(f"    {line}")


def count_junit(path):
    root = ElementTree.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    tests = failed = skipped = 0
    for suite in suites:
        tests += int(suite.get("tests", 0))
        failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
    return tests - failed - skipped, failed


def main(paths):
    passed = failed = 0
    for path in paths:
        try:
            if path.endswith(".trx"):
                print_trx_failures(path)
                counts = count_trx(path)
            else:
                counts = count_junit(path)
        except (OSError, ElementTree.ParseError, AttributeError) as error:
            print(f"cannot read test report {path}: {error}", file=sys.stderr)
            counts = (0, 1)
        passed += counts[0]
        failed += counts[1]
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
