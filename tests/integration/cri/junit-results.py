#!/usr/bin/env python3
"""junit-results.py REPORT OUT: sort the specs of critest's JUnit report (a file written by
-ginkgo.junit-report) into OUT.passed, OUT.failed and OUT.skipped, one spec name a line."""
import os
import sys
import xml.etree.ElementTree as ET

report, out = sys.argv[1], sys.argv[2]
if not os.path.exists(report):
    sys.exit("junit-results: no JUnit report " + report)
files = [report]
res = {"passed": [], "failed": [], "skipped": []}
for f in files:
    for case in ET.parse(f).getroot().iter("testcase"):
        name = " ".join(case.get("name", "").split())
        # Ginkgo's suite nodes (BeforeSuite, AfterSuite, ...) are no specs.
        if name.startswith("[") and "Suite]" in name.split(" ")[0]:
            if case.find("failure") is None and case.find("error") is None:
                continue
        if case.find("failure") is not None or case.find("error") is not None:
            res["failed"].append(name)
        elif case.find("skipped") is not None:
            res["skipped"].append(name)
        else:
            res["passed"].append(name)
for k, names in res.items():
    with open(out + "." + k, "w") as fh:
        fh.writelines(n + "\n" for n in sorted(names))
